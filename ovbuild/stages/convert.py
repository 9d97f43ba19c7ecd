"""``convert``: turn the source into OpenVINO IR (``model.xml`` plus any sub-models)."""

from __future__ import annotations

from typing import Any

from ovbuild.sources import source_for
from ovbuild.stages.base import Stage, StageContext
from ovbuild.store import CacheEntry


class ConvertStage(Stage):
    name = "convert"
    order = 20
    produces_model = True
    carries_models = False  # its parent is the source, which holds no IR
    version = 1

    def config(self, recipe: dict[str, Any]) -> dict[str, Any]:
        return {"source": recipe["source"], "inputs": recipe["inputs"]}

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        return source_for(config["source"]["kind"]).convert(ctx, config["source"])
