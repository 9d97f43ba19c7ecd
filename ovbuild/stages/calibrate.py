"""``calibrate``: materialise the calibration and held-out datasets once per model + dataset.

The stage sits before ``compress``, so its key covers the model (parent key), the dataset's
file digests and the calibration config but not the precision map: a sweep over several INT8
variants builds it once. It writes ``calibration.npz`` (inputs NNCF collects statistics on),
``holdout.npz`` (inputs ``validate`` scores on, never used to calibrate) and ``reference.npz``
(the FP32 model's outputs on the held-out inputs at ``INFERENCE_PRECISION_HINT=f32``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.calibration.store import CALIBRATION_FILE, HOLDOUT_FILE, REFERENCE_FILE
from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import CalibrateResult, ConvertResult
from ovbuild.store import CacheEntry


def run_reference(
    ctx: StageContext, model: Any, samples: list[dict[str, Any]], what: str
) -> list[list[np.ndarray]]:
    """Every output of ``model`` at f32 for each sample; a sample that does not fit is a clear error."""
    from tqdm import tqdm

    compiled = ctx.core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    outputs = []
    for i, sample in enumerate(tqdm(samples, desc=f"FP32 reference ({what})", leave=False)):
        try:
            result = request.infer(sample)
        except RuntimeError as exc:
            raise StageError(f"calibration: {what} sample {i} does not fit the model: {exc}") from exc
        outputs.append([np.array(result[port]) for port in compiled.outputs])
    return outputs


@dataclass(frozen=True)
class CalibrateConfig(FrozenConfig):
    """What the calibration data depends on (not the precision map: sweeps share it)."""

    calibration: Mapping[str, Any]  # the recipe's calibration section
    frontend: Mapping[str, Any] | None  # samples go through the recipe's own front-end
    tokenizer: str | None = None  # text samples: the tokenizer directory (frontend's, or the hf source)


class CalibrateStage(Stage):
    name = "calibrate"
    order = 50
    version = 1
    Result = CalibrateResult

    def config(self, recipe: dict[str, Any]) -> CalibrateConfig | None:
        if recipe.get("calibration") is None or not _consumed(recipe):
            return None
        from ovbuild.config.tokenizer import tokenizer_source

        return CalibrateConfig(
            calibration=recipe["calibration"],
            frontend=recipe.get("frontend"),
            tokenizer=tokenizer_source(recipe),
        )

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        from ovbuild.target import target_file

        calibration = recipe["calibration"]
        path = calibration.get("path")
        files = [Path(path).expanduser()] if path and Path(path).expanduser().exists() else []
        if calibration.get("target"):  # the code that yields the samples is part of the data
            files.append(target_file(calibration["target"], "calibration.target"))
        return files

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: CalibrateConfig) -> CalibrateResult:
        from ovbuild.calibration import load_dataset, save_samples

        convert = ctx.result(ConvertResult)
        generation = convert.generation if convert is not None else None
        if generation:
            from ovbuild.calibration.prompts import tokenize_prompts

            counts = tokenize_prompts(
                ctx.core, parent.file(generation["tokenizer"]), thaw(config.calibration), ctx.out_dir
            )
            return CalibrateResult(kind=config["calibration"]["kind"], prompts=True, details=counts)
        model = ctx.read_model(parent)
        calibration, frontend = thaw(config.calibration), thaw(config.frontend)  # plain JSON for the loaders
        calib, holdout = load_dataset(calibration, frontend, model, config.tokenizer)
        if not calib:
            raise StageError(f"calibration.path: {config['calibration'].get('path')} gave no samples")
        run_reference(ctx, model, calib[:1], "calibration")  # fail early on samples that do not fit
        refs = run_reference(ctx, model, holdout, "holdout")
        save_samples(ctx.out_dir / CALIBRATION_FILE, calib)
        save_samples(ctx.out_dir / HOLDOUT_FILE, holdout)
        if refs:  # one "input" per output, so outputs whose shape varies by sample are kept too
            save_samples(ctx.out_dir / REFERENCE_FILE, [{str(i): o for i, o in enumerate(r)} for r in refs])
        return CalibrateResult(
            kind=config.calibration["kind"], calibration_samples=len(calib), holdout_samples=len(holdout)
        )


def _consumed(recipe: dict[str, Any]) -> bool:
    """Whether a later stage reads the data: static INT8, an accuracy search, or validation.

    A recipe may name a calibration set for the variants that need one (``precision=int8`` in a
    sweep) without an FP32 build paying for it.
    """
    precision = recipe["precision"]
    wanted = {precision["default"], *(rule["precision"] for rule in precision.get("rules") or [])}
    data_aware = any(precision.get(k) for k in ("awq", "scale_estimation", "gptq"))
    return bool(wanted & {"int8", "auto"}) or data_aware or recipe.get("validate") is not None
