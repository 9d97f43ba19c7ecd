"""A recipe's device settings as OpenVINO properties: hint, streams, precision, legacy GPU options,
raw properties and static input shapes (used by :func:`.devices.plan_devices`)."""

from __future__ import annotations

from typing import Any

KNOWN_DEVICES = ("CPU", "GPU", "NPU", "AUTO", "HETERO", "MULTI", "BATCH")
_PRECISIONS = {"f32": "f32", "fp32": "f32", "bf16": "bf16", "f16": "f16", "fp16": "f16"}
HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT")
# Legacy ``gpu_optimize`` values -> GPU plugin properties (OpenVINO 2026).
_GPU_OPTIMIZE = {
    "modern": {"EXECUTION_MODE_HINT": "PERFORMANCE"},
    "legacy": {"EXECUTION_MODE_HINT": "ACCURACY", "GPU_DISABLE_WINOGRAD_CONVOLUTION": True},
}


def plain_text(value: Any) -> str:
    """The plain string of an enum member or a string (recipes may carry either)."""
    return str(getattr(value, "value", value))


def device_specific(name: str, cfg: dict) -> dict[str, Any]:
    """Properties that only make sense for device ``name`` (the legacy GPU options, raw per-device ones)."""
    props: dict[str, Any] = {}
    base = name.split(".")[0]
    if base == "GPU":
        fp16 = cfg.get("gpu_fp16_enable")
        if fp16 is not None:
            props["INFERENCE_PRECISION_HINT"] = "f16" if fp16 else "f32"
        opt = cfg.get("gpu_optimize")
        if opt is not None:
            opt = plain_text(opt).lower()
            if opt not in _GPU_OPTIMIZE:
                raise ValueError(f"device.gpu_optimize: {opt!r} is not one of modern, legacy")
            props.update(_GPU_OPTIMIZE[opt])
    raw = cfg.get("properties") or {}
    for key in (name, base):
        if isinstance(raw.get(key), dict):
            props.update(raw[key])
    return props


def hint_of(cfg: dict) -> str | None:
    hint = cfg.get("performance_hint")
    hint = plain_text(hint).upper() if hint is not None else None
    if hint is not None and hint not in HINTS:
        raise ValueError(f"device.performance_hint: {hint!r} is not one of {', '.join(HINTS)}")
    return hint


def common_properties(cfg: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """The top-level properties and the per-device properties shared by every device."""
    top: dict[str, Any] = {}
    per_device: dict[str, Any] = {}
    if cfg.get("num_requests") is not None:
        top["PERFORMANCE_HINT_NUM_REQUESTS"] = int(cfg["num_requests"])
    if cfg.get("num_streams") is not None:
        streams = cfg["num_streams"]
        per_device["NUM_STREAMS"] = streams if isinstance(streams, str) else int(streams)
    prec = cfg.get("inference_precision")
    if prec is not None:
        key = plain_text(prec).lower()
        if key not in _PRECISIONS:
            raise ValueError(f"device.inference_precision: {key!r} is not one of f32, bf16, f16")
        per_device["INFERENCE_PRECISION_HINT"] = _PRECISIONS[key]
    return top, per_device


def raw_global(cfg: dict) -> dict[str, Any]:
    raw = cfg.get("properties") or {}
    out = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            base = str(key).split(".")[0].upper()
            if base not in KNOWN_DEVICES:
                raise ValueError(f"device.properties.{key}: a nested table must be keyed by a device name")
            continue
        out[str(key)] = value
    return out


def input_shapes(cfg: dict) -> dict[str, list[int]]:
    shapes = cfg.get("input_shapes") or {}
    out: dict[str, list[int]] = {}
    for name, shape in shapes.items():
        try:
            dims = [int(d) for d in shape]
        except (TypeError, ValueError):
            raise ValueError(f"device.input_shapes.{name}: {shape!r} is not a list of integers") from None
        if any(d < -1 or d == 0 for d in dims):
            raise ValueError(f"device.input_shapes.{name}: {dims} has a dimension that is not >= 1 or -1")
        if cfg.get("precompile_shapes") and any(d == -1 for d in dims):
            raise ValueError(f"device.input_shapes.{name}: precompile_shapes needs static shapes, got {dims}")
        out[str(name)] = dims
    if cfg.get("precompile_shapes") and not out:
        raise ValueError("device.precompile_shapes is true but device.input_shapes is empty")
    return out
