"""Device plans: turn a recipe's ``device:`` section into one ``compile_model`` call that works here.

Runtime module (shipped inside every artifact): standard library only at top level.

The plan is computed *before* OpenVINO sees the device list: devices that are not present are dropped
with one warning (OpenVINO's own ``AUTO:GPU,CPU`` raises when the GPU plugin cannot load), and if none
remains the plan falls back to CPU.

>>> plan = plan_devices({"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto"}, ["CPU"])
>>> plan.device, plan.dropped
('CPU', ['GPU'])
>>> plan_devices({"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto"}, ["CPU", "GPU.0"]).device
'AUTO:GPU,CPU'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from .compiling import DevicePlanError, available_devices, compile_with_plan, ov_message
from .device_settings import (
    KNOWN_DEVICES,
    common_properties,
    device_specific,
    hint_of,
    input_shapes,
    plain_text,
    raw_global,
)

__all__ = [
    "DevicePlan",
    "DevicePlanError",
    "available_devices",
    "compile_with_plan",
    "ov_message",
    "parse_priorities",
    "plan_devices",
]

VIRTUAL_DEVICES = ("AUTO", "HETERO", "MULTI", "BATCH")
_NAME_RE = re.compile(r"^([A-Za-z]+)((?:\.\d+)*)$")
_ITEM_RE = re.compile(r"^\s*([A-Za-z]+(?:\.\d+)*)\s*(?:\(\s*([-+]?\d+(?:\.\d*)?|\.\d+)\s*\))?\s*$")
MODES = ("single", "auto", "hetero", "multi")


def _check_name(name: str, item: str) -> str:
    m = _NAME_RE.match(name)
    if not m or m.group(1).upper() not in KNOWN_DEVICES:
        known = ", ".join(KNOWN_DEVICES)
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
        text = plain_text(item)
        m = _ITEM_RE.match(text)
        if not m:
            raise ValueError(
                f"malformed device priority {text!r}: expected NAME, NAME.N or NAME(weight), e.g. 'GPU(1.5)'"
            )
        name = _check_name(m.group(1), text)
        weight = float(m.group(2)) if m.group(2) is not None else 1.0
        parsed.append((name, weight))
    return sorted(parsed, key=lambda p: -p[1])  # sorted() is stable


def _is_present(name: str, available: list[str]) -> bool:
    """Whether ``name`` can run here: ``GPU`` matches ``GPU``/``GPU.0``/...; ``GPU.1`` only ``GPU.1``."""
    base = name.split(".")[0]
    if base in VIRTUAL_DEVICES:
        return True
    for dev in available:
        if dev == name or (name == base and dev.split(".")[0] == base):
            return True
    return False


@dataclasses.dataclass(frozen=True)
class DevicePlan:
    """Where and how to compile: the result of :func:`plan_devices`.

    ``device`` and ``properties`` go to ``compile_model``; ``reshape`` maps input names to the static
    shapes to apply first; ``warnings`` holds at most one message; ``mode`` is the effective mode
    (``multi`` becomes ``auto``; AUTO/HETERO over one remaining device becomes ``single`` on it);
    ``requested`` is what the recipe asked for. ``to_json()`` is what manifests record.
    """

    requested: dict[str, Any]
    device: str
    properties: dict[str, Any]
    used: list[str]
    dropped: list[str]
    warnings: list[str]
    mode: str
    reshape: dict[str, list[int]]
    precompile: bool

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DevicePlan:
        """A plan recorded by ``to_json`` (e.g. a manifest's ``device_plan``)."""
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})

    def with_properties(self, **extra: Any) -> DevicePlan:
        """The same plan with ``extra`` properties layered over its own."""
        return dataclasses.replace(self, properties={**self.properties, **extra})


def _ordered_names(priorities: list[Any]) -> list[str]:
    names: list[str] = []
    for name, _ in parse_priorities(list(priorities)):
        if name not in names:
            names.append(name)
    return names


def _present(names: list[str], available: list[str]) -> tuple[list[str], list[str], list[str]]:
    """``(used, dropped, warnings)``: the devices that exist here, CPU when none does."""
    used = [n for n in names if _is_present(n, available)]
    dropped = [n for n in names if n not in used]
    if not dropped:
        return used, dropped, []
    where = ", ".join(available) or "none"
    msg = f"device(s) {', '.join(dropped)} not available here (available: {where}), dropped"
    if not used:
        used = ["CPU"]
        msg += "; falling back to CPU"
    return used, dropped, [msg]


def _multi_as_auto(hint: str | None) -> tuple[str, str]:
    """OpenVINO deprecated MULTI: the same job is AUTO with CUMULATIVE_THROUGHPUT. ``(hint, warning)``."""
    note = f" (overrides performance_hint {hint})" if hint not in (None, "CUMULATIVE_THROUGHPUT") else ""
    warning = (
        "device.mode 'multi' is deprecated in OpenVINO; mapped to AUTO with "
        f"PERFORMANCE_HINT=CUMULATIVE_THROUGHPUT{note}"
    )
    return "CUMULATIVE_THROUGHPUT", warning


def _resolve_mode(mode: str, hint: str | None, used: list[str]) -> tuple[str, str | None, list[str]]:
    """``(effective mode, hint, warnings)`` for the devices left."""
    warnings: list[str] = []
    effective = mode
    if mode == "multi":
        effective = "auto"
        hint, warning = _multi_as_auto(hint)
        warnings.append(warning)
    if effective in ("auto", "hetero") and len(used) == 1 and used[0].split(".")[0] not in VIRTUAL_DEVICES:
        # AUTO/HETERO over one device is that device: no extra plugin layer, and its precompiled
        # blob (keyed by device) imports directly.
        effective = "single"
    return effective, hint, warnings


def _single_properties(device: str, hint: str | None, cfg: dict) -> dict[str, Any]:
    top, per_device = common_properties(cfg)
    properties: dict[str, Any] = {"PERFORMANCE_HINT": hint} if hint is not None else {}
    properties.update(top)
    properties.update(per_device)
    properties.update(device_specific(device, cfg))
    properties.update(raw_global(cfg))
    return properties


def _virtual_properties(prefix: str, used: list[str], hint: str | None, cfg: dict) -> dict[str, Any]:
    top, per_device = common_properties(cfg)
    properties: dict[str, Any] = {"PERFORMANCE_HINT": hint} if hint is not None else {}
    properties.update(top)
    if cfg.get("enable_startup_fallback") is not None and prefix == "AUTO":
        properties["ENABLE_STARTUP_FALLBACK"] = bool(cfg["enable_startup_fallback"])
    dev_props = {}
    for name in used:
        specific = {**per_device, **device_specific(name, cfg)}
        if specific:
            dev_props[name] = specific
    if dev_props:
        properties["DEVICE_PROPERTIES"] = dev_props
    properties.update(raw_global(cfg))
    return properties


def plan_devices(device_cfg: Mapping[str, Any] | None, available: list[str]) -> DevicePlan:
    """Resolve a recipe's device section against the devices present on this machine.

    Args:
        device_cfg: the keys of ``DeviceConfig`` (priorities, mode, performance_hint, num_streams,
            num_requests, inference_precision, enable_startup_fallback, properties, gpu_fp16_enable,
            gpu_optimize, precompile_shapes, input_shapes); missing keys take their defaults.
        available: ``openvino.Core().available_devices`` or an injected list (tests).

    Raises:
        ValueError: naming the key or item, for an unknown device, malformed priority or bad value.
    """
    cfg = dict(device_cfg or {})
    priorities = cfg.get("priorities") or ["CPU"]
    mode = plain_text(cfg.get("mode") or "single").lower()
    if mode not in MODES:
        raise ValueError(f"device.mode: {mode!r} is not one of {', '.join(MODES)}")
    names = _ordered_names(priorities)
    hint = hint_of(cfg)
    reshape = input_shapes(cfg)
    used, dropped, warnings = _present(names, list(available))
    effective, hint, mode_warnings = _resolve_mode(mode, hint, used)
    warnings += mode_warnings
    if effective == "single":
        used = used[:1]
        device = used[0]
        properties = _single_properties(device, hint, cfg)
    else:
        prefix = "AUTO" if effective == "auto" else "HETERO"
        device = f"{prefix}:{','.join(used)}"
        properties = _virtual_properties(prefix, used, hint, cfg)
    if cfg.get("enable_startup_fallback") is not None and mode not in ("auto", "multi"):
        warnings.append("device.enable_startup_fallback applies only to AUTO plans; ignored")
    return DevicePlan(
        requested={"priorities": [plain_text(p) for p in priorities], "mode": mode},
        device=device,
        properties=properties,
        used=used,
        dropped=dropped,
        warnings=["; ".join(warnings)] if warnings else [],  # one warning per plan
        mode=effective,
        reshape=reshape,
        precompile=bool(cfg.get("precompile_shapes")),
    )


def candidate_properties(device: Mapping[str, Any]) -> dict[str, Any]:
    """Compile properties that change numerics: the recipe's ``device.inference_precision``."""
    precision = (device or {}).get("inference_precision")
    return {"INFERENCE_PRECISION_HINT": precision} if precision else {}
