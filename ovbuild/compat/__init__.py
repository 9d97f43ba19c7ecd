"""The old ``OpenVINOBackend`` API as a facade over ovbuild's compiler, cache and loader.

>>> from ovbuild.compat import OpenVINOBackend, recipe_from_legacy
"""

from ovbuild.compat.backend import OpenVINOBackend, recipe_from_legacy

__all__ = ["OpenVINOBackend", "recipe_from_legacy"]
