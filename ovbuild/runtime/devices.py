"""Device plans: turn a recipe's ``device:`` section into one ``compile_model`` call that works here.

STANDALONE: this module is concatenated verbatim into every artifact's generated ``loader.py``, so it
imports only the standard library at top level (``openvino`` lazily, inside functions), imports no
other ovbuild module, and prefixes its private helpers with ``_dev_``.

The plan is computed *before* OpenVINO sees the device list: devices that are not present are dropped
with one warning (OpenVINO's own ``AUTO:GPU,CPU`` raises when the GPU plugin cannot load), and if none
remains the plan falls back to CPU.

>>> plan = plan_devices({"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto"}, ["CPU"])
>>> plan["device"], plan["dropped"]
('CPU', ['GPU'])
>>> plan_devices({"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto"}, ["CPU", "GPU.0"])["device"]
'AUTO:GPU,CPU'
"""

from __future__ import annotations

import re
from typing import Any

_DEV_KNOWN = ("CPU", "GPU", "NPU", "AUTO", "HETERO", "MULTI", "BATCH")
_DEV_VIRTUAL = ("AUTO", "HETERO", "MULTI", "BATCH")
_DEV_NAME_RE = re.compile(r"^([A-Za-z]+)((?:\.\d+)*)$")
_DEV_ITEM_RE = re.compile(r"^\s*([A-Za-z]+(?:\.\d+)*)\s*(?:\(\s*([-+]?\d+(?:\.\d*)?|\.\d+)\s*\))?\s*$")
_DEV_PRECISIONS = {"f32": "f32", "fp32": "f32", "bf16": "bf16", "f16": "f16", "fp16": "f16"}
_DEV_HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT")
_DEV_MODES = ("single", "auto", "hetero", "multi")

# Legacy ``gpu_optimize`` values -> GPU plugin properties (OpenVINO 2026).
_DEV_GPU_OPTIMIZE = {
    "modern": {"EXECUTION_MODE_HINT": "PERFORMANCE"},
    "legacy": {"EXECUTION_MODE_HINT": "ACCURACY", "GPU_DISABLE_WINOGRAD_CONVOLUTION": True},
}


class DevicePlanError(RuntimeError):
    """OpenVINO refused to compile a model with a device plan (bad property, unfit shape, ...)."""


def _dev_str(value: Any) -> str:
    """The plain string of an enum member or a string (recipes may carry either)."""
    return str(getattr(value, "value", value))


def _dev_check_name(name: str, item: str) -> str:
    m = _DEV_NAME_RE.match(name)
    if not m or m.group(1).upper() not in _DEV_KNOWN:
        known = ", ".join(_DEV_KNOWN)
        raise ValueError(f"unknown device {item!r} in device.priorities (known: {known}, optionally .N)")
    return m.group(1).upper() + m.group(2)


def parse_priorities(items: list[str]) -> list[tuple[str, float]]:
    """Parse a device priority list, accepting legacy weights, and sort it by weight (descending, stable).

    Args:
        items: device names such as ``"CPU"``, ``"GPU.1"`` or legacy weighted ``"GPU(1.5)"``.
            An item without a weight has weight 1.0.

    Returns:
        ``(device, weight)`` pairs, highest weight first; equal weights keep their order.

    Raises:
        ValueError: naming the item, when it is malformed or names an unknown device.

    >>> parse_priorities(["CPU(1.0)", "GPU(1.5)"])
    [('GPU', 1.5), ('CPU', 1.0)]
    """
    if isinstance(items, str):
        items = [items]
    parsed: list[tuple[str, float]] = []
    for item in items:
        text = _dev_str(item)
        m = _DEV_ITEM_RE.match(text)
        if not m:
            raise ValueError(
                f"malformed device priority {text!r}: expected NAME, NAME.N or NAME(weight), e.g. 'GPU(1.5)'"
            )
        name = _dev_check_name(m.group(1), text)
        weight = float(m.group(2)) if m.group(2) is not None else 1.0
        parsed.append((name, weight))
    return sorted(parsed, key=lambda p: -p[1])  # sorted() is stable


def _dev_present(name: str, available: list[str]) -> bool:
    """Whether ``name`` can run here: ``GPU`` matches ``GPU``/``GPU.0``/...; ``GPU.1`` only ``GPU.1``."""
    base = name.split(".")[0]
    if base in _DEV_VIRTUAL:
        return True
    for dev in available:
        if dev == name or (name == base and dev.split(".")[0] == base):
            return True
    return False


def _dev_device_specific(name: str, cfg: dict) -> dict[str, Any]:
    """Properties that only make sense for device ``name`` (the legacy GPU options, raw per-device ones)."""
    props: dict[str, Any] = {}
    base = name.split(".")[0]
    if base == "GPU":
        fp16 = cfg.get("gpu_fp16_enable")
        if fp16 is not None:
            props["INFERENCE_PRECISION_HINT"] = "f16" if fp16 else "f32"
        opt = cfg.get("gpu_optimize")
        if opt is not None:
            opt = _dev_str(opt).lower()
            if opt not in _DEV_GPU_OPTIMIZE:
                raise ValueError(f"device.gpu_optimize: {opt!r} is not one of modern, legacy")
            props.update(_DEV_GPU_OPTIMIZE[opt])
    raw = cfg.get("properties") or {}
    for key in (name, base):
        if isinstance(raw.get(key), dict):
            props.update(raw[key])
    return props


def _dev_common(cfg: dict) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """The hint, the top-level properties and the per-device properties shared by every device."""
    hint = cfg.get("performance_hint")
    hint = _dev_str(hint).upper() if hint is not None else None
    if hint is not None and hint not in _DEV_HINTS:
        raise ValueError(f"device.performance_hint: {hint!r} is not one of {', '.join(_DEV_HINTS)}")
    top: dict[str, Any] = {}
    per_device: dict[str, Any] = {}
    if cfg.get("num_requests") is not None:
        top["PERFORMANCE_HINT_NUM_REQUESTS"] = int(cfg["num_requests"])
    if cfg.get("num_streams") is not None:
        streams = cfg["num_streams"]
        per_device["NUM_STREAMS"] = streams if isinstance(streams, str) else int(streams)
    prec = cfg.get("inference_precision")
    if prec is not None:
        key = _dev_str(prec).lower()
        if key not in _DEV_PRECISIONS:
            raise ValueError(f"device.inference_precision: {key!r} is not one of f32, bf16, f16")
        per_device["INFERENCE_PRECISION_HINT"] = _DEV_PRECISIONS[key]
    return hint, top, per_device


def _dev_raw_global(cfg: dict) -> dict[str, Any]:
    raw = cfg.get("properties") or {}
    out = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            base = str(key).split(".")[0].upper()
            if base not in _DEV_KNOWN:
                raise ValueError(f"device.properties.{key}: a nested table must be keyed by a device name")
            continue
        out[str(key)] = value
    return out


def _dev_shapes(cfg: dict) -> dict[str, list[int]]:
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


def plan_devices(device_cfg: dict, available: list[str]) -> dict:
    """Resolve a recipe's device section against the devices present on this machine.

    Args:
        device_cfg: the keys of ``DeviceConfig`` (priorities, mode, performance_hint, num_streams,
            num_requests, inference_precision, enable_startup_fallback, properties, gpu_fp16_enable,
            gpu_optimize, precompile_shapes, input_shapes); missing keys take their defaults.
        available: ``openvino.Core().available_devices`` or an injected list (tests).

    Returns:
        ``{"requested", "device", "properties", "used", "dropped", "warnings", "mode", "reshape",
        "precompile"}``: ``device`` and ``properties`` go to ``compile_model``; ``reshape`` maps input
        names to the static shapes to apply first; ``warnings`` holds at most one message; ``mode`` is
        the effective mode (``multi`` becomes ``auto``; AUTO/HETERO over one remaining device becomes
        ``single`` on it). Everything is JSON-serializable.

    Raises:
        ValueError: naming the key or item, for an unknown device, malformed priority or bad value.
    """
    cfg = dict(device_cfg or {})
    priorities = cfg.get("priorities") or ["CPU"]
    mode = _dev_str(cfg.get("mode") or "single").lower()
    if mode not in _DEV_MODES:
        raise ValueError(f"device.mode: {mode!r} is not one of {', '.join(_DEV_MODES)}")
    ordered = parse_priorities(list(priorities))
    names: list[str] = []
    for name, _ in ordered:
        if name not in names:
            names.append(name)
    hint, top, per_device = _dev_common(cfg)
    raw_global = _dev_raw_global(cfg)
    reshape = _dev_shapes(cfg)
    warnings: list[str] = []

    used = [n for n in names if _dev_present(n, list(available))]
    dropped = [n for n in names if n not in used]
    if dropped:
        where = ", ".join(available) or "none"
        msg = f"device(s) {', '.join(dropped)} not available here (available: {where}), dropped"
        if not used:
            used = ["CPU"]
            msg += "; falling back to CPU"
        warnings.append(msg)

    effective = mode
    if mode == "multi":
        effective = "auto"
        if hint not in (None, "CUMULATIVE_THROUGHPUT"):
            note = f" (overrides performance_hint {hint})"
        else:
            note = ""
        hint = "CUMULATIVE_THROUGHPUT"
        warnings.append(
            "device.mode 'multi' is deprecated in OpenVINO; mapped to AUTO with "
            f"PERFORMANCE_HINT=CUMULATIVE_THROUGHPUT{note}"
        )
    if effective in ("auto", "hetero") and len(used) == 1 and used[0].split(".")[0] not in _DEV_VIRTUAL:
        # AUTO/HETERO over one device is that device: no extra plugin layer, and its precompiled
        # blob (keyed by device) imports directly.
        effective = "single"

    properties: dict[str, Any] = {}
    if effective == "single":
        used = used[:1]
        device = used[0]
        if hint is not None:
            properties["PERFORMANCE_HINT"] = hint
        properties.update(top)
        properties.update(per_device)
        properties.update(_dev_device_specific(device, cfg))
        properties.update(raw_global)
    else:
        prefix = "AUTO" if effective == "auto" else "HETERO"
        device = f"{prefix}:{','.join(used)}"
        if hint is not None:
            properties["PERFORMANCE_HINT"] = hint
        properties.update(top)
        if cfg.get("enable_startup_fallback") is not None and prefix == "AUTO":
            properties["ENABLE_STARTUP_FALLBACK"] = bool(cfg["enable_startup_fallback"])
        dev_props = {}
        for name in used:
            specific = dict(per_device)
            specific.update(_dev_device_specific(name, cfg))
            if specific:
                dev_props[name] = specific
        if dev_props:
            properties["DEVICE_PROPERTIES"] = dev_props
        properties.update(raw_global)
    if cfg.get("enable_startup_fallback") is not None and mode not in ("auto", "multi"):
        warnings.append("device.enable_startup_fallback applies only to AUTO plans; ignored")

    return {
        "requested": {"priorities": [_dev_str(p) for p in priorities], "mode": mode},
        "device": device,
        "properties": properties,
        "used": used,
        "dropped": dropped,
        "warnings": ["; ".join(warnings)] if warnings else [],  # one warning per plan
        "mode": effective,
        "reshape": reshape,
        "precompile": bool(cfg.get("precompile_shapes")),
    }


def available_devices() -> list[str]:
    """The devices OpenVINO can use on this machine, e.g. ``['CPU']`` or ``['CPU', 'GPU.0']``."""
    import openvino as ov

    return list(ov.Core().available_devices)


def _dev_ov_message(exc: BaseException) -> str:
    """The meaningful last lines of an OpenVINO exception, without its ``Exception from file:line``."""
    lines = [ln.strip() for ln in str(exc).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("Exception from ")]
    return " ".join(lines) or type(exc).__name__


def _dev_flat(properties: dict) -> list[tuple[str, str, Any]]:
    """(device or '', key, value) for every property, DEVICE_PROPERTIES unfolded."""
    out = []
    for key, value in properties.items():
        if key == "DEVICE_PROPERTIES" and isinstance(value, dict):
            for dev, sub in value.items():
                out.extend((dev, k, v) for k, v in sub.items())
        else:
            out.append(("", key, value))
    return out


def _dev_culprit(core: Any, device: str, properties: dict, message: str) -> str | None:
    """Name the property OpenVINO rejected: from its message, else by compiling a tiny model per key."""
    flat = _dev_flat(properties)
    for dev, key, value in flat:
        if re.search(rf"\b{re.escape(key)}\b", message):
            where = f"DEVICE_PROPERTIES.{dev}." if dev else ""
            return f"{where}{key}={value!r}"
    try:
        import numpy as np
        import openvino as ov
        import openvino.opset13 as ops

        param = ops.parameter([1], np.float32, name="x")
        tiny = ov.Model([ops.relu(param)], [param], "ovbuild_probe")
        for dev, key, value in flat:
            props = {"DEVICE_PROPERTIES": {dev: {key: value}}} if dev else {key: value}
            try:
                core.compile_model(tiny, device, props)
            except Exception:
                where = f"DEVICE_PROPERTIES.{dev}." if dev else ""
                return f"{where}{key}={value!r}"
    except Exception:
        return None
    return None


def _dev_reshape(model: Any, reshape: dict[str, list[int]]) -> None:
    names = {n for p in model.inputs for n in p.get_names()}
    for name in reshape:
        if name not in names:
            raise DevicePlanError(
                f"device.input_shapes.{name}: the model has no input {name!r} (inputs: {sorted(names)})"
            )
    try:
        model.reshape({name: list(shape) for name, shape in reshape.items()})
    except Exception as exc:
        shapes = ", ".join(f"{k}={v}" for k, v in reshape.items())
        raise DevicePlanError(
            f"device.input_shapes: shape(s) {shapes} do not fit the model: {_dev_ov_message(exc)}"
        ) from exc


def compile_with_plan(core: Any, model: Any, plan: dict, **extra: Any) -> Any:
    """Compile ``model`` (an ``ov.Model`` or a path) with a plan from :func:`plan_devices`.

    Applies the plan's static ``reshape`` first, then ``core.compile_model(model, plan["device"],
    plan["properties"] | extra)``.

    Raises:
        DevicePlanError: a ``RuntimeError`` naming the property OpenVINO rejected (or the input whose
            shape does not fit), chained to OpenVINO's exception.
    """
    reshape = plan.get("reshape") or {}
    if reshape:
        if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
            model = core.read_model(model)
        _dev_reshape(model, reshape)
    properties = dict(plan.get("properties") or {})
    properties.update(extra)
    device = plan["device"]
    try:
        return core.compile_model(model, device, properties)
    except Exception as exc:
        message = _dev_ov_message(exc)
        culprit = _dev_culprit(core, device, properties, message)
        what = f"rejected property {culprit}" if culprit else "failed to compile the model"
        raise DevicePlanError(f"OpenVINO device {device!r} {what}: {message}") from exc
