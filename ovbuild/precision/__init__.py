"""Precision maps: resolve a map onto the graph, compile it to NNCF and IR pins, or search one.

``apply_precision`` is what the ``compress`` stage calls for every non-trivial precision.
"""

from __future__ import annotations

from typing import Any

from ovbuild.precision.compile_map import NodeMap, apply_map, resolve
from ovbuild.precision.layers import classify

__all__ = ["NodeMap", "apply_precision", "apply_map", "classify", "resolve"]


def calibration_samples(ctx: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The calibration inputs materialised by the ``calibrate`` stage (empty without one)."""
    from ovbuild.calibration import load_samples
    from ovbuild.stages.calibrate import CALIBRATION_FILE

    entry = ctx.ancestors.get("calibrate")
    return load_samples(entry.file(CALIBRATION_FILE), limit) if entry is not None else []


def apply_precision(ctx: Any, parent: Any, precision_cfg: dict[str, Any]) -> dict[str, Any]:
    """Apply ``precision_cfg`` to the parent's model and write the result into ``ctx.out_dir``.

    Args:
        ctx: the running stage's context (``ancestors['calibrate']`` holds the calibration data).
        parent: the cache entry whose ``model.xml`` is compressed.
        precision_cfg: the recipe's ``precision`` block.

    Returns:
        The stage result: the map actually applied (``map``, pin it in a recipe to skip the
        search), per-precision counts of weighted layers, NNCF calls, f32 pins and the compile
        properties the device plan must set.

    Raises:
        RecipeError: a malformed rule.
        StageError: static INT8 without calibration data, or no map meets the accuracy budget.
    """
    from ovbuild.precision.pins import pin_f32_in_xml, runtime_precision_of
    from ovbuild.stages._models import carry_models
    from ovbuild.stages.base import MODEL_XML

    cfg = dict(precision_cfg)
    search: dict[str, Any] | None = None
    if cfg["default"] == "auto":
        from ovbuild.precision.auto import select_map

        chosen, search = select_map(ctx, parent, cfg)
        cfg.update(chosen)
    model = ctx.read_model(parent)
    node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
    model, summary = apply_map(model, node_map, calibration_samples(ctx), cfg)
    xml = ctx.save_model(model)
    pins = summary.pop("pin_f32")
    summary["pinned_f32"] = pin_f32_in_xml(xml, pins)
    if pins:
        compiled = ctx.core.compile_model(ctx.core.read_model(str(xml)), "CPU")
        seen = runtime_precision_of(compiled, pins)
        summary["pins_runtime"] = {p: list(seen.values()).count(p) for p in sorted(set(seen.values()))}
        if any(p not in ("f32", "i32", "i64", "boolean", "u8", "i8") for p in seen.values()):
            ctx.log.warning("precision: some f32-pinned nodes run in %s", summary["pins_runtime"])
    carry_models(parent, ctx.out_dir, skip=(MODEL_XML, "model.bin"))
    result = {"map": {"default": cfg["default"], "rules": cfg.get("rules") or []}, **summary}
    if search is not None:
        result["search"] = search
    return result
