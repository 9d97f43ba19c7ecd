"""``validate``: compare the candidate with the FP32 reference (at f32) on held-out inputs.

The reference is the model as it stood before ``compress``. Inputs come from ``validate.data``
(an ``.npz`` of named arrays, one sample per leading index) or, without it, seeded random inputs
of the recorded shapes. A metric outside ``validate.min``/``max`` fails the build, and nothing
is published.
"""

from __future__ import annotations

from typing import Any

from ovbuild.errors import StageError
from ovbuild.stages._models import carry_models
from ovbuild.stages.base import Stage, StageContext
from ovbuild.store import CacheEntry

_REFERENCE_STAGES = ("frontend", "shape", "convert")


class ValidateStage(Stage):
    name = "validate"
    version = 1

    def config(self, recipe: dict[str, Any]) -> dict[str, Any] | None:
        if recipe.get("validate") is None:
            return None
        return {"validate": recipe["validate"], "device": recipe["device"]}

    def input_files(self, recipe: dict[str, Any]):
        from pathlib import Path

        data = recipe["validate"].get("data")
        return [Path(data)] if data else []

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        from ovbuild.metrics import compare_models

        cfg = config["validate"]
        reference = next((ctx.ancestors[s] for s in _REFERENCE_STAGES if s in ctx.ancestors), None)
        if reference is None:
            raise StageError("validate: no reference model before compress")
        value = compare_models(ctx, reference, parent, cfg)
        metric = cfg["metric"]
        if cfg.get("min") is not None and value < cfg["min"]:
            raise StageError(f"validate.min: measured {metric} {value:.6f} is below the minimum {cfg['min']}")
        if cfg.get("max") is not None and value > cfg["max"]:
            raise StageError(f"validate.max: measured {metric} {value:.6f} is above the maximum {cfg['max']}")
        carry_models(parent, ctx.out_dir)
        return {"metric": metric, "value": value, "samples": cfg["samples"]}
