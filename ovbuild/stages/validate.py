"""``validate``: compare the candidate with the FP32 reference (at f32) on held-out inputs.

The reference is the model as it stood before ``compress``. Inputs are, in order of preference:
``validate.data`` (an ``.npz`` of named arrays, one sample per leading index); the held-out split
of the ``calibrate`` stage (never used for calibration; its f32 reference outputs are cached
there); else seeded random inputs of the recorded shapes, with a warning. A metric outside
``validate.min``/``max`` fails the build with the measured value, and nothing is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import CalibrateResult, ConvertResult, ValidateResult
from ovbuild.store import CacheEntry


def heldout(
    ctx: StageContext, reference: CacheEntry, cfg: dict[str, Any]
) -> tuple[list[dict], list[np.ndarray]]:
    """Held-out samples and the reference's outputs on each (at f32), one list per sample."""
    from ovbuild.calibration import HOLDOUT_FILE, REFERENCE_FILE, load_samples
    from ovbuild.metrics import npz_inputs, run_outputs, synthetic_inputs

    calib = ctx.entry(CalibrateResult)
    calibrated = ctx.result(CalibrateResult)
    if not cfg.get("data") and calibrated is not None and calibrated.holdout_samples:
        samples = load_samples(calib.file(HOLDOUT_FILE), cfg["samples"])
        refs = load_samples(calib.file(REFERENCE_FILE), len(samples))
        return samples, [[r[str(i)] for i in range(len(r))] for r in refs]
    model = ctx.read_model(reference)
    if cfg.get("data"):
        samples = npz_inputs(cfg["data"], cfg["samples"])
    else:
        ctx.log.warning("validate: no validate.data and no held-out calibration split; scoring random inputs")
        samples = synthetic_inputs(model, cfg["samples"])
    compiled = ctx.core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    try:
        return samples, run_outputs(compiled, samples, "FP32 reference")
    except RuntimeError as exc:
        raise StageError(f"validate.data: samples do not fit the model: {exc}") from exc


def metric_target_files(recipe: dict[str, Any]) -> list[Path]:
    """The modules behind ``validate.target`` and a ``detection`` decode: their code decides the score."""
    from ovbuild.target import target_file

    validate = recipe.get("validate") or {}
    decode = (validate.get("detection") or {}).get("decode")
    refs = [("validate.target", validate.get("target"))]
    if decode and decode != "yolo":
        refs.append(("validate.detection.decode", decode))
    return [target_file(ref, key) for key, ref in refs if ref]


def check_bounds(missed: list[Any], candidate: str | None = None) -> None:
    """Raise :class:`GateMissed` naming every missed check (the first one's figures attached)."""
    from ovbuild.errors import GateMissed

    if missed:
        first = missed[0]
        raise GateMissed(
            "; ".join(missed), metric=first.metric, value=first.value, bound=first.bound, candidate=candidate
        )


@dataclass(frozen=True)
class ValidateStageConfig(FrozenConfig):
    """What ``validate`` scores and how the candidate runs."""

    validate: Mapping[str, Any]  # the recipe's validate section
    device: Mapping[str, Any]  # the candidate runs with the device's numerics


class ValidateStage(Stage):
    name = "validate"
    order = 70
    version = 3  # 3: per-sample worst/p5 recorded; scalar outputs scored by decision
    Result = ValidateResult

    def config(self, recipe: dict[str, Any]) -> ValidateStageConfig | None:
        if recipe.get("validate") is None:
            return None
        return ValidateStageConfig(validate=recipe["validate"], device=recipe["device"])

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        data = recipe["validate"].get("data")
        return [Path(data)] + metric_target_files(recipe) if data else metric_target_files(recipe)

    def run(
        self, ctx: StageContext, parent: CacheEntry | None, config: ValidateStageConfig
    ) -> ValidateResult:
        from ovbuild.metrics import compare_models
        from ovbuild.runtime.devices import candidate_properties

        cfg, device = thaw(config.validate), thaw(config.device)  # plain JSON for the metric libraries
        convert = ctx.result(ConvertResult)
        if convert is not None and convert.generation:
            from ovbuild.stages._validate_generative import validate_generative

            return validate_generative(ctx, parent, cfg, candidate_properties(device))
        reference = ctx.reference()
        if reference is None:
            raise StageError("validate: no reference model before compress")
        samples, refs = heldout(ctx, reference, cfg)
        if not samples:
            raise StageError("validate: no held-out samples to score")
        props = candidate_properties(device)
        try:
            values, missed = compare_models(ctx, ctx.read_model(parent), samples, refs, cfg, props)
        except RuntimeError as exc:
            raise StageError(f"validate: the candidate cannot run the held-out samples: {exc}") from exc
        ctx.log.info("validate: %s", ", ".join(f"{k}={v:.5f}" for k, v in values.items()))
        check_bounds(missed, str(parent.path) if parent is not None else None)
        # One number for one-output models; per-output and per-part values are in ``metrics``.
        value = values.get(cfg["metric"])
        return ValidateResult(metric=cfg["metric"], value=value, samples=len(samples), metrics=values)
