"""``frontend``: compile the recipe's front-end into the graph where OpenVINO can run it.

An audio front-end with ``embed: true`` is prepended to the model, so the artifact takes a
waveform; an image front-end becomes PrePostProcessor steps (u8 NHWC of any size in); a text
front-end compiles the tokenizer in. A front-end with ``embed: false`` passes the model through
unchanged: the generated loader then runs it host-side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig, frozen_schema, thaw
from ovbuild.config.schema import FRONTEND_SCHEMAS
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
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
        if frontend["kind"] == "text":  # an hf source's own tokenizer, named in the key
            from ovbuild.config.tokenizer import tokenizer_source

            frontend = {**frontend, "tokenizer": tokenizer_source(recipe)}
        return frozen_schema(FRONTEND_SCHEMAS[frontend["kind"]]).of(frontend)

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        frontend = recipe.get("frontend") or {}
        if frontend.get("kind") == "text" and frontend.get("tokenizer"):
            return [Path(frontend["tokenizer"]).expanduser()]
        return []  # an hf source's tokenizer is already part of the source digests

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: FrozenConfig) -> FrontendResult:
        # Each kind's builder gets a plain copy of the config and returns its JSON facts
        # (``embedded`` and what the loader needs).
        return FrontendResult.from_json(self._facts(ctx, parent, thaw(config)))

    def _facts(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        if not config.get("embed", False):
            if config["kind"] == "text":
                return {"embedded": False, "assets": _host_tokenizer(ctx, config)}
            if config["kind"] == "image":
                from ovbuild.stages._frontend_image import host_image

                return host_image(ctx, parent, config)
            return {"embedded": False}
        if config["kind"] == "audio":
            from ovbuild.stages._frontend_audio import embed_audio

            return embed_audio(ctx, parent, config)
        if config["kind"] == "text":
            from ovbuild.stages._frontend_text import embed_text

            return embed_text(ctx, parent, config)
        if config["kind"] == "image":
            from ovbuild.stages._frontend_image import embed_image

            return embed_image(ctx, parent, config)
        raise StageError(f"frontend.kind: {config['kind']!r} cannot be embedded")


def _host_tokenizer(ctx: StageContext, config: dict[str, Any]) -> list[str]:
    """Ship the tokenizer files with the artifact, so the loader tokenizes anywhere it is copied."""
    from ovbuild.config.tokenizer import tokenizer_dir
    from ovbuild.stages._models import ASSETS
    from ovbuild.store.fs import link_or_copy

    source = tokenizer_dir(config.get("tokenizer"))
    shipped = []
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if (source / name).is_file():
            link_or_copy(source / name, ctx.out_dir / ASSETS / name)
            shipped.append(f"{ASSETS}/{name}")
    if "assets/tokenizer.json" not in shipped:
        raise StageError(f"frontend.tokenizer: no tokenizer.json in {source} for host-side tokenization")
    return shipped
