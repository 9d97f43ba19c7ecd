"""Device names and properties checked by OpenVINO itself: a tiny model is compiled with them."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

# OpenVINO property -> the recipe key that sets it (others come from device.properties).
_PROPERTY_KEYS = {
    "NUM_STREAMS": "device.num_streams",
    "INFERENCE_PRECISION_HINT": "device.inference_precision",
    "PERFORMANCE_HINT": "device.performance_hint",
    "PERFORMANCE_HINT_NUM_REQUESTS": "device.num_requests",
    "ENABLE_STARTUP_FALLBACK": "device.enable_startup_fallback",
    "EXECUTION_MODE_HINT": "device.gpu_optimize",
}


def device_problems(device: dict[str, Any]) -> list[str]:
    from ovbuild.runtime.devices import available_devices, compile_with_plan, plan_devices

    available = available_devices()
    try:
        plan = plan_devices(device, available)
    except ValueError as exc:
        return [str(exc) if str(exc).startswith("device.") else f"device.priorities: {exc}"]
    import openvino as ov

    core = ov.Core()
    problems = []
    for name in plan.used:
        single = plan_devices({**device, "priorities": [name], "mode": "single"}, available)
        try:
            compile_with_plan(core, _tiny_model(), dataclasses.replace(single, reshape={}))
        except RuntimeError as exc:
            problems.append(f"{_key(str(exc), device)}: {exc}")
    return problems


def _key(message: str, device: dict[str, Any]) -> str:
    found = re.search(r"rejected property ([A-Za-z0-9_.]+)", message)
    if not found:
        return "device"
    name = found.group(1)
    for key, value in (device.get("properties") or {}).items():  # what the recipe set by hand wins
        if key == name:
            return f"device.properties.{name}"
        if isinstance(value, dict) and name in value:
            return f"device.properties.{key}.{name}"
    return _PROPERTY_KEYS.get(name, f"device.properties.{name}")


def _tiny_model() -> Any:
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([1, 8], ov.Type.f32, name="x")
    return ov.Model([ops.relu(x)], [x], "preflight")
