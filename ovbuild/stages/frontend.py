"""``frontend``: compile the recipe's front-end into the graph where OpenVINO can run it.

An audio front-end with ``embed: true`` is prepended to the model, so the artifact takes a
waveform; an image front-end becomes PrePostProcessor steps (u8 NHWC of any size in); a text
front-end compiles the tokenizer in. A front-end with ``embed: false`` passes the model through
unchanged: the generated loader then runs it host-side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ovbuild.stages._frontend_kinds  # noqa: F401  (registers the built-in kinds)
from ovbuild.config.frozen import FrozenConfig, frozen_schema, thaw
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.frontend_kind import frontend_of
from ovbuild.stages.results import FrontendResult
from ovbuild.store import CacheEntry


class FrontendStage(Stage):
    name = "frontend"
    order = 40
    produces_model = True
    version = 1
    Result = FrontendResult

    def config(self, recipe: dict[str, Any]) -> FrozenConfig | None:
        frontend = recipe.get("frontend")
        if frontend is None:
            return None
        kind = frontend_of(frontend["kind"])
        return frozen_schema(kind.schema).of(kind.keyed(frontend, recipe))

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        frontend = recipe.get("frontend") or {}
        return frontend_of(frontend["kind"]).input_files(frontend) if frontend.get("kind") else []

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: FrozenConfig) -> FrontendResult:
        # The kind gets a plain copy of the config and returns its JSON facts (``embedded`` and
        # what the loader needs).
        plain = thaw(config)
        kind = frontend_of(plain["kind"])
        facts = kind.embed(ctx, parent, plain) if plain.get("embed", False) else kind.host(ctx, parent, plain)
        return FrontendResult.from_json(facts)
