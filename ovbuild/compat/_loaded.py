"""One model loaded through the facade (its legacy config, recipe, artifact and runtime)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.compat._legacy import Translation
from ovbuild.runtime.manifest import Manifest


@dataclass
class LoadedModel:
    """One model loaded through the facade: its legacy config, recipe, artifact and runtime."""

    name: str
    config: dict[str, Any]
    translation: Translation
    recipe: dict[str, Any]
    artifact: Path
    version: int
    runtime: Any  # the generated loader's Model
    build_seconds: float
    cached: bool
    variants: dict[str, LoadedModel] = field(default_factory=dict)

    def infer_batch(self, items: list[Any]) -> list[dict[str, Any]]:
        """Run a batch, pipelined over the loader's request pool (every stream busy under a
        THROUGHPUT or AUTO plan; no Python callbacks, so teardown cannot hang)."""
        return self.runtime.infer_batch(list(items))

    @property
    def manifest(self) -> Manifest:
        return self.runtime.manifest
