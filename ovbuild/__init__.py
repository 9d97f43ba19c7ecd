"""ovbuild: a declarative compiler for OpenVINO models.

>>> from ovbuild import build, load_recipe
>>> result = build(load_recipe(["recipe=silero_vad"]))  # doctest: +SKIP
"""

__version__ = "0.1.0"

from ovbuild.config import load_recipe  # noqa: E402
from ovbuild.errors import ArtifactError, OvbuildError, RecipeError, SourceError, StageError  # noqa: E402
from ovbuild.graph import BuildResult, build  # noqa: E402

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
