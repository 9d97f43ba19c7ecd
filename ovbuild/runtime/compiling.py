"""Compile a model with a :class:`~.devices.DevicePlan`, naming the property OpenVINO rejects."""

from __future__ import annotations

import re
from typing import Any


class DevicePlanError(RuntimeError):
    """OpenVINO refused to compile a model with a device plan (bad property, unfit shape, ...)."""


def available_devices() -> list[str]:
    """The devices OpenVINO can use on this machine, e.g. ``['CPU']`` or ``['CPU', 'GPU.0']``."""
    import openvino as ov

    return list(ov.Core().available_devices)


def ov_message(exc: BaseException) -> str:
    """The meaningful last lines of an OpenVINO exception, without its ``Exception from file:line``."""
    lines = [ln.strip() for ln in str(exc).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("Exception from ")]
    return " ".join(lines) or type(exc).__name__


def _flat(properties: dict) -> list[tuple[str, str, Any]]:
    """(device or '', key, value) for every property, DEVICE_PROPERTIES unfolded."""
    out = []
    for key, value in properties.items():
        if key == "DEVICE_PROPERTIES" and isinstance(value, dict):
            for dev, sub in value.items():
                out.extend((dev, k, v) for k, v in sub.items())
        else:
            out.append(("", key, value))
    return out


def _culprit(core: Any, device: str, properties: dict, message: str) -> str | None:
    """Name the property OpenVINO rejected: from its message, else by compiling a tiny model per key."""
    flat = _flat(properties)
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


def _reshape(model: Any, reshape: dict[str, list[int]]) -> None:
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
            f"device.input_shapes: shape(s) {shapes} do not fit the model: {ov_message(exc)}"
        ) from exc


def compile_with_plan(core: Any, model: Any, plan: Any, **extra: Any) -> Any:
    """Compile ``model`` (an ``ov.Model`` or a path) with a plan from :func:`plan_devices`.

    Applies the plan's static ``reshape`` first, then ``core.compile_model(model, plan.device,
    plan.properties | extra)``.

    Raises:
        DevicePlanError: a ``RuntimeError`` naming the property OpenVINO rejected (or the input whose
            shape does not fit), chained to OpenVINO's exception.
    """
    reshape = plan.reshape
    if reshape:
        if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
            model = core.read_model(model)
        _reshape(model, reshape)
    properties = dict(plan.properties)
    properties.update(extra)
    device = plan.device
    try:
        return core.compile_model(model, device, properties)
    except Exception as exc:
        message = ov_message(exc)
        culprit = _culprit(core, device, properties, message)
        what = f"rejected property {culprit}" if culprit else "failed to compile the model"
        raise DevicePlanError(f"OpenVINO device {device!r} {what}: {message}") from exc
