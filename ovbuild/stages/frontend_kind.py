"""The front-end contract and its registry: a front-end kind is one class, as a source kind is.

Writing ``class PointCloudFrontEnd(FrontEnd)`` with ``kind = "pointcloud"`` and a ``schema``
dataclass (the keys ``frontend:`` may hold for that kind) registers both: the validator checks a
recipe's ``frontend`` against that schema, and the ``frontend`` stage asks the class to compile
it into the graph (``embed``) or to prepare what the loader runs host-side (``host``). The class
also says what the artifact's loader then imports (``requirements``), so emit never tests a
front-end's name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from ovbuild.config.schema import FRONTEND_SCHEMAS
from ovbuild.errors import StageError
from ovbuild.registry import register_kind


class FrontEnd:
    """One kind of front-end (see the module docstring)."""

    #: Every registered front-end class by kind, filled by ``__init_subclass__``.
    registry: ClassVar[dict[str, type[FrontEnd]]] = {}

    kind: ClassVar[str]
    #: The dataclass of this kind's ``frontend:`` keys (``kind`` included).
    schema: ClassVar[type]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if register_kind(cls, FrontEnd.registry, "front-end kind"):
            FRONTEND_SCHEMAS[cls.kind] = cls.schema

    def keyed(self, frontend: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
        """The ``frontend:`` block as the stage's key sees it (a kind may add what it reads from
        elsewhere in the recipe)."""
        return frontend

    def input_files(self, frontend: dict[str, Any]) -> list[Path]:
        """Files outside the source that the front-end reads (their digests join the key)."""
        return []

    def embed(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        """Compile the front-end into the parent's graph; returns the manifest's facts."""
        raise StageError(f"frontend.kind: {self.kind!r} cannot be embedded")

    def host(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        """Leave the graph alone; returns the facts the loader needs to run the front-end itself."""
        return {"embedded": False}

    def requirements(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        """What the loader imports to run this front-end, given the manifest's ``frontend`` facts
        (entries made with :func:`ovbuild.stages._requirements.requirement`)."""
        return []


def frontend_of(kind: str) -> FrontEnd:
    """The registered front-end of ``kind``.

    Raises:
        StageError: no class registers ``kind`` (the validator reports this earlier for recipes).
    """
    import ovbuild.stages._frontend_kinds  # noqa: F401  (registers the built-in kinds)

    cls = FrontEnd.registry.get(kind)
    if cls is None:
        raise StageError(f"frontend.kind: {kind!r} is not one of {', '.join(FrontEnd.registry)}")
    return cls()
