"""``compress``: apply the precision map. FP32 passes the model through; FP16 compresses weights;
quantized precisions go through :mod:`ovbuild.precision` (NNCF)."""

from __future__ import annotations

from typing import Any

from ovbuild.errors import StageError
from ovbuild.stages._models import carry_models
from ovbuild.stages.base import MODEL_XML, Stage, StageContext
from ovbuild.store import CacheEntry

_FLOAT = {"fp32", "fp16", "bf16"}


class CompressStage(Stage):
    name = "compress"
    version = 2

    def config(self, recipe: dict[str, Any]) -> dict[str, Any]:
        return {"precision": recipe["precision"]}

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        precision = config["precision"]
        default = precision["default"]
        if default in _FLOAT and not precision["rules"]:
            if default == "fp32":
                carry_models(parent, ctx.out_dir)
                return {"weights": "f32"}
            # bf16 has no IR weight format: weights stay f16 and the device runs bf16 from its hint.
            ctx.save_model(ctx.read_model(parent), fp16=True)
            carry_models(parent, ctx.out_dir, skip=(MODEL_XML, "model.bin"))
            return {"weights": "f16"}
        try:
            from ovbuild.precision import apply_precision
        except ImportError as exc:
            raise StageError(f"precision.default: {default!r} needs ovbuild.precision ({exc})") from exc
        return apply_precision(ctx, parent, precision)
