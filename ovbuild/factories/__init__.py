"""Ready-made factories for ``source.kind: pytorch`` and converters for ``source.kind: legacy``.

Recipes name them as ``"ovbuild.factories.<module>:<function>"``.
"""
