"""ovbuild: a declarative compiler for OpenVINO models.

>>> from ovbuild import build, load_recipe
>>> result = build(load_recipe(["recipe=silero_vad"]))  # doctest: +SKIP
"""

from ovbuild import torchvision_guard
from ovbuild._version import __version__
from ovbuild.config import load_recipe
from ovbuild.errors import ArtifactError, OvbuildError, RecipeError, SourceError, StageError
from ovbuild.graph import BuildResult, build

torchvision_guard.install()  # before anything imports transformers (see the module)

__all__ = [
    "ArtifactError",
    "BuildResult",
    "OvbuildError",
    "RecipeError",
    "SourceError",
    "StageError",
    "__version__",
    "build",
    "load_recipe",
]
