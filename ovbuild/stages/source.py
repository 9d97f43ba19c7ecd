"""``source``: locate and fingerprint the model files; their digests start the key chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig, frozen_schema
from ovbuild.sources import Source, source_for
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import SourceResult
from ovbuild.store import CacheEntry


def source_config(recipe: dict[str, Any]) -> FrozenConfig:
    """The recipe's ``source`` block as its kind's frozen schema (``Source.schema``)."""
    schema = Source.registry[recipe["source"]["kind"]].schema
    typed = schema if issubclass(schema, FrozenConfig) else frozen_schema(schema)
    return typed.of(recipe["source"])


class SourceStage(Stage):
    name = "source"
    order = 10
    carries_models = False  # its "entry" is the store root; the source files are its output
    version = 1
    cached = False  # its digests are already in the key; an entry would hold nothing more
    Result = SourceResult

    def config(self, recipe: dict[str, Any]) -> FrozenConfig:
        return source_config(recipe)

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        return source_for(recipe["source"]["kind"]).input_files(recipe["source"])

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: FrozenConfig) -> SourceResult:
        files = source_for(config["kind"]).input_files(config)
        return SourceResult(kind=config["kind"], files=[str(p) for p in files])
