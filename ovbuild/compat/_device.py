"""Legacy device keys -> the recipe's ``device`` section, in two steps: which devices in which
mode (:func:`parse_devices`, from ``device``, ``device_priorities`` and ``multi_device``), then the
properties (:func:`device_properties`: hint, GPU options, shapes)."""

from __future__ import annotations

from typing import Any

from ovbuild.compat._checker import Checker
from ovbuild.compat._keys import HINTS

_VIRTUAL = ("AUTO", "MULTI", "HETERO")


def _from_device_string(device: str, available: list[str]) -> dict[str, Any]:
    """``"CPU"``, ``"AUTO"``, ``"AUTO:GPU,CPU"``, ``"MULTI:..."``, ``"HETERO:..."`` -> priorities, mode."""
    head, _, rest = device.strip().partition(":")
    head = head.upper()
    present = sorted({d.split(".")[0] for d in available})
    if rest and head in _VIRTUAL:
        return {"priorities": [d.strip() for d in rest.split(",") if d.strip()], "mode": head.lower()}
    if head == "AUTO":
        # Bare AUTO: let OpenVINO choose among what this machine has (GPU first when present).
        return {"priorities": sorted(present, key=lambda d: (d != "GPU", d)) or ["CPU"], "mode": "auto"}
    if head == "MULTI":
        return {"priorities": present or ["CPU"], "mode": "multi"}
    return {"priorities": [device.strip()], "mode": "single"}


def parse_devices(c: Checker, available: list[str]) -> dict[str, Any]:
    """``{"priorities": [...], "mode": ...}`` from the device-choosing keys."""
    device = c.get("device", (str,), "a device string such as 'CPU', 'GPU' or 'AUTO:GPU,CPU'")
    multi = c.get("multi_device", (bool,), "true or false")
    prios = c.get("device_priorities", (list, tuple), "a list such as ['GPU(1.5)', 'CPU(1.0)']")
    if prios is not None and not all(isinstance(p, str) for p in prios):
        c.problems.append(f"device_priorities: every item must be a string, got {list(prios)!r}")
        prios = None
    out = _from_device_string(device, available) if device else {"priorities": ["CPU"], "mode": "single"}
    if prios:
        out["priorities"] = list(prios)
        if out["mode"] == "single" and len(prios) > 1:
            out["mode"] = "auto"
    if multi:
        out["mode"] = "multi"
    elif multi is False and out["mode"] == "multi":
        out["mode"] = "auto"
    return out


def _gpu_options(c: Checker, available: list[str], warnings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fp16 = c.get("gpu_fp16_enable", (bool,), "true or false")
    opt = c.config.get("gpu_optimize")
    if isinstance(opt, bool):  # the old API also took a flag: true meant the modern kernels
        opt = "modern" if opt else None
    elif opt is not None:
        opt = c.choice(
            "gpu_optimize", c.get("gpu_optimize", (str,), "'modern' or 'legacy'"), ("modern", "legacy")
        )
    if fp16 is not None:
        out["gpu_fp16_enable"] = fp16
    if opt is not None:
        out["gpu_optimize"] = opt
    if out and not any(d.startswith("GPU") for d in available):
        warnings.append(
            "gpu_fp16_enable/gpu_optimize apply to GPU only; no GPU on this machine "
            f"(devices: {', '.join(available) or 'none'}), so the model runs on CPU without them"
        )
    return out


def _shapes(c: Checker) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pre = c.get("precompile_shapes", (bool,), "true or false")
    shapes = c.get("input_shapes", (dict,), "a dict of input name -> shape list")
    if shapes:
        good: dict[str, list[int]] = {}
        for key, shape in shapes.items():
            if isinstance(shape, (list, tuple)) and all(
                isinstance(d, int) and not isinstance(d, bool) for d in shape
            ):
                good[str(key)] = [int(d) for d in shape]
            else:
                c.problems.append(f"input_shapes.{key}: expected a list of integers, got {shape!r}")
        out["input_shapes"] = good
    if pre is not None:
        out["precompile_shapes"] = pre
    return out


def device_properties(c: Checker, available: list[str], warnings: list[str]) -> dict[str, Any]:
    """The hint, GPU options and shapes of the ``device`` section."""
    out: dict[str, Any] = {}
    hint = c.choice("performance_hint", c.get("performance_hint", (str,), "LATENCY or THROUGHPUT"), HINTS)
    if hint:
        out["performance_hint"] = hint
    return {**out, **_gpu_options(c, available, warnings), **_shapes(c)}


def device_section(c: Checker, available: list[str], warnings: list[str]) -> dict[str, Any]:
    """The recipe's ``device`` section for a legacy config."""
    return {**parse_devices(c, available), **device_properties(c, available, warnings)}
