"""``convert``: turn the source into OpenVINO IR (``model.xml`` plus any sub-models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.sources import source_for
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import ConvertResult
from ovbuild.stages.source import source_config
from ovbuild.store import CacheEntry


@dataclass(frozen=True)
class ConvertConfig(FrozenConfig):
    """What ``convert`` reads: the source and the input shapes."""

    source: FrozenConfig  # the kind's schema (``Source.schema``)
    inputs: Mapping[str, Sequence[int]] | None  # static shapes, for converters that need them


class ConvertStage(Stage):
    name = "convert"
    order = 20
    produces_model = True
    carries_models = False  # its parent is the source, which holds no IR
    version = 1
    Result = ConvertResult

    def config(self, recipe: dict[str, Any]) -> ConvertConfig:
        return ConvertConfig(source=source_config(recipe), inputs=recipe["inputs"])

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: ConvertConfig) -> ConvertResult:
        # A source's converter returns its JSON facts; ``models`` and ``generation`` are the typed part.
        facts = source_for(config.source["kind"]).convert(ctx, config.source, thaw(config.inputs or {}))
        return ConvertResult.from_json(facts)
