"""``compress``: apply the precision map. FP32 passes the model through; FP16 compresses weights;
quantized precisions go through :mod:`ovbuild.precision` (NNCF)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import CalibrateResult, CompressResult, ConvertResult
from ovbuild.store import CacheEntry

_FLOAT = {"fp32", "fp16", "bf16"}
#: Element types a node pinned to f32 may report at run time without a warning.
_PINNED_OK = ("f32", "i32", "i64", "boolean", "u8", "i8")


@dataclass(frozen=True)
class CompressConfig(FrozenConfig):
    """What ``compress`` applies."""

    precision: Mapping[str, Any]  # the recipe's precision section (map, NNCF knobs, budget)
    #: ``precision: auto`` only: candidates are scored with the validate block, compiled with the
    #: device's numerics (its inference precision), so both belong to the key; else ``None``.
    validate: Mapping[str, Any] | None = None
    inference_precision: str | None = None


class CompressStage(Stage):
    name = "compress"
    order = 60
    changes_numerics = True
    version = 2
    Result = CompressResult

    def config(self, recipe: dict[str, Any]) -> CompressConfig:
        if recipe["precision"]["default"] != "auto":
            return CompressConfig(precision=recipe["precision"])
        return CompressConfig(
            precision=recipe["precision"],
            validate=recipe.get("validate"),
            inference_precision=(recipe.get("device") or {}).get("inference_precision"),
        )

    def input_files(self, recipe: dict[str, Any]) -> list[Path]:
        from ovbuild.stages.validate import metric_target_files

        # precision: auto scores candidates with the validate metric, a user target included.
        return metric_target_files(recipe) if recipe["precision"]["default"] == "auto" else []

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: CompressConfig) -> CompressResult:
        precision = config.precision
        default = precision["default"]
        convert = ctx.result(ConvertResult)
        if convert is not None and convert.generation:
            from ovbuild.stages._compress_generative import compress_generative

            return compress_generative(ctx, parent, thaw(precision), convert)
        if default in _FLOAT and not precision["rules"]:
            if default == "fp32":
                return CompressResult(weights="f32")
            # bf16 has no IR weight format: weights stay f16 and the device runs bf16 from its hint.
            ctx.save_model(ctx.read_model(parent), fp16=True)
            return CompressResult(weights="f16")
        try:
            import ovbuild.precision  # noqa: F401
        except ImportError as exc:
            raise StageError(f"precision.default: {default!r} needs ovbuild.precision ({exc})") from exc
        return apply_precision(ctx, parent, config)


def apply_precision(ctx: StageContext, parent: CacheEntry, config: CompressConfig) -> CompressResult:
    """Apply ``precision_cfg`` to the parent's model and write the result into ``ctx.out_dir``.

    Args:
        ctx: the running stage's context (the ``calibrate`` entry holds the calibration data).
        parent: the cache entry whose ``model.xml`` is compressed.
        config: the stage's config: the recipe's ``precision`` block (and, under ``auto``, what
            candidates are scored with).

    Returns:
        The stage result: the map actually applied (``map``, pin it in a recipe to skip the
        search), per-precision counts of weighted layers, NNCF calls, f32 pins and the compile
        properties the device plan must set.

    Raises:
        RecipeError: a malformed rule.
        StageError: static INT8 without calibration data, or no map meets the accuracy budget.
    """
    from ovbuild.calibration import calibration_samples
    from ovbuild.pins import pin_f32_in_xml, runtime_precision_of
    from ovbuild.precision import apply_map, resolve
    from ovbuild.precision.schemes import pinned_scheme
    from ovbuild.precision.statistics import statistics_scope

    cfg = thaw(config.precision)  # this stage's working copy; the chosen map is merged into it
    calibration = calibration_samples(ctx.entry(CalibrateResult))
    search: dict[str, Any] | None = None
    if cfg["default"] == "auto":
        from ovbuild.precision.auto import select_map
        from ovbuild.runtime.devices import candidate_properties

        props = candidate_properties({"inference_precision": config.inference_precision})
        chosen, search = select_map(ctx, parent, cfg, thaw(config.validate or {}), props, calibration)
        cfg.update(chosen)
    model = ctx.read_model(parent)
    node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
    scope = statistics_scope(ctx, parent)
    model, summary = apply_map(model, node_map, calibration, cfg, statistics=scope)
    xml = ctx.save_model(model)
    pins = summary.pop("pin_f32")
    summary["pinned_f32"] = pin_f32_in_xml(xml, pins)
    if pins:
        compiled = ctx.core.compile_model(ctx.core.read_model(str(xml)), "CPU")
        seen = runtime_precision_of(compiled, pins)
        summary["pins_runtime"] = {p: list(seen.values()).count(p) for p in sorted(set(seen.values()))}
        if any(p not in _PINNED_OK for p in seen.values()):
            ctx.log.warning("precision: some f32-pinned nodes run in %s", summary["pins_runtime"])
    details = summary if search is None else {**summary, "search": search}
    chosen_map = {"default": cfg["default"], "rules": cfg.get("rules") or [], **pinned_scheme(cfg)}
    return CompressResult(map=chosen_map, details=details)
