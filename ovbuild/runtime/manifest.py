"""The manifest: the one contract between the compiler (``emit`` writes it) and every reader of an
artifact (the loader, the CLI, the store, sweeps, benchmarks).

It is read in one place, :meth:`Manifest.read` / :meth:`Manifest.from_dict`, which checks the
fields readers rely on and turns them into attributes; nothing else parses ``manifest.json``.
``schema_version`` says which layout a file has: manifests written before the field existed are
read as version 1 (the layout is the same), and a newer version than this runtime knows is refused
with a message saying to use a newer ovbuild, instead of failing later on a missing key.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .integrity import MANIFEST, ArtifactIntegrityError
from .manifest_schema import read_bounded, table_problem

#: The manifest layout this runtime writes and reads.
SCHEMA_VERSION = 1
# The fields every reader relies on, with their JSON types.
_REQUIRED = {"files": dict, "model": str, "inputs": list, "outputs": list, "recipe": dict}
_OPTIONAL = {
    "name": str,
    "description": str,
    "recipe_digest": str,
    "frontend": dict,
    "variant": dict,
    "labels": list,
    "device_plan": dict,
    "blobs": dict,
    "stage_keys": dict,
    "reference_ir": str,
    "stages": dict,
    "metrics": dict,
    "packages": dict,
    "requirements": list,
}


class ManifestError(ArtifactIntegrityError):
    """The manifest is not one this runtime can read (malformed, or from a newer ovbuild)."""


@dataclass(frozen=True)
class Manifest:
    """An artifact's ``manifest.json``, checked and typed.

    Stage results (``stages``) and metrics stay JSON objects: each stage owns its result's layout.
    """

    model: str
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    files: dict[str, dict[str, Any]]
    recipe: dict[str, Any]
    name: str = ""
    schema_version: int = SCHEMA_VERSION
    description: str = ""
    recipe_digest: str = ""
    frontend: dict[str, Any] | None = None
    variant: dict[str, Any] = field(default_factory=dict)
    labels: list[str] | None = None
    postprocess: Any = None
    device_plan: dict[str, Any] = field(default_factory=dict)
    blobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    stage_keys: dict[str, str] = field(default_factory=dict)
    reference_ir: str | None = None
    stages: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    packages: dict[str, Any] = field(default_factory=dict)
    #: What the loader imports (``requirements.txt``): ``[{spec, import, why, required}]``; empty
    #: for artifacts built before it was recorded.
    requirements: list[dict[str, Any]] = field(default_factory=list)

    # ---- reading and writing ----------------------------------------------------------------------

    @classmethod
    def read(cls, artifact_dir: str | Path) -> Manifest:
        """The manifest of ``artifact_dir``.

        Raises:
            ArtifactIntegrityError: the file is missing, not a regular file, unreadable, not JSON
                or over a size or depth limit (naming it; see :mod:`.manifest_schema`).
            ManifestError: it lacks a field, has one of the wrong type or a table the loader
                cannot walk (a file without ``size``), or is from a newer ovbuild.
        """
        return cls.from_dict(read_bounded(artifact_dir), Path(artifact_dir) / MANIFEST)

    @classmethod
    def from_dict(cls, data: Any, where: str | Path = MANIFEST) -> Manifest:
        """Check ``data`` (parsed JSON) and type it; ``where`` names the file in errors."""
        if not isinstance(data, dict):
            raise ManifestError(f"{where}: expected a JSON object, got {type(data).__name__}")
        version = data.get("schema_version", 1)
        if not isinstance(version, int) or version < 1:
            raise ManifestError(f"{where}: schema_version {version!r} is not a positive integer")
        if version > SCHEMA_VERSION:
            raise ManifestError(
                f"{where}: manifest schema_version {version} is newer than this runtime reads "
                f"({SCHEMA_VERSION}); load it with the ovbuild that built it, or a newer one"
            )
        for key, kind in _REQUIRED.items():
            if not isinstance(data.get(key), kind):
                raise ManifestError(f"{where}: field {key!r} is missing or not a {kind.__name__}")
        for key, kind in _OPTIONAL.items():
            if data.get(key) is not None and not isinstance(data[key], kind):
                raise ManifestError(f"{where}: field {key!r} is not a {kind.__name__}")
        problem = table_problem(data)
        if problem:
            raise ManifestError(f"{where}: {problem}")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        return cls(**{**values, "schema_version": version})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``emit`` writes (shallow: stage results are written as they are)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def to_json(self, default: Any = None) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=default) + "\n"

    # ---- what readers ask -------------------------------------------------------------------------

    @property
    def frontend_kind(self) -> str | None:
        """``text``, ``audio``, ``image`` or ``None`` (raw tensors in)."""
        return (self.frontend or {}).get("kind")

    @property
    def embedded_frontend(self) -> bool:
        """The front-end is compiled into the graph (the loader feeds strings/waveforms/images)."""
        return bool((self.frontend or {}).get("embedded"))

    @property
    def convert(self) -> dict[str, Any]:
        """The convert stage's result: ``task``, sub-``models`` by role, ``generation``."""
        return self.stages.get("convert") or {}

    @property
    def task(self) -> str | None:
        """The model's task as the convert stage found it (``feature-extraction``, ...)."""
        return self.convert.get("task") or (self.recipe.get("source") or {}).get("task")

    @property
    def submodels(self) -> dict[str, str]:
        """IR paths by role (``model``, ``encoder``, ``decoder``...); ``{"model": model}`` if one."""
        return self.convert.get("models") or {"model": self.model}

    @property
    def generation(self) -> dict[str, Any] | None:
        """How a generative artifact decodes (``kind``: ``text`` or ``speech``...), else ``None``."""
        return self.convert.get("generation")

    @property
    def source(self) -> dict[str, Any]:
        return self.recipe.get("source") or {}

    @property
    def device(self) -> dict[str, Any]:
        """The recipe's device block (priorities, mode, hint, properties)."""
        return self.recipe.get("device") or {}

    @property
    def precision(self) -> Any:
        """The recipe's default precision (``fp32``, ``int8``, ``auto``...)."""
        return (self.recipe.get("precision") or {}).get("default")

    @property
    def label(self) -> str:
        """What tells this build apart from others of its recipe (``int8``, ``fp32-f32``)."""
        return self.variant.get("label") or str(self.precision)
