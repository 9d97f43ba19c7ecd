"""``ovbuild doctor``: what this machine can do (devices, precisions, optional libraries, fallbacks).

Nothing heavy is imported: optional libraries are found through their installed metadata.
"""

from __future__ import annotations

import importlib.metadata as _md
import importlib.util
from typing import Any

# (label, distribution name, import name, what it enables)
OPTIONAL_LIBRARIES: list[tuple[str, str, str, str]] = [
    ("optimum-intel", "optimum-intel", "optimum.intel", "HF export (source: hf), bench --compare"),
    ("transformers", "transformers", "transformers", "HF sources, tokenizers, PyTorch eager baseline"),
    ("torch", "torch", "torch", "PyTorch sources, PyTorch eager baseline"),
    ("openvino-tokenizers", "openvino-tokenizers", "openvino_tokenizers", "in-graph text front-end"),
    ("librosa", "librosa", "librosa", "host-side audio features, decoding"),
    ("soundfile", "soundfile", "soundfile", "audio file decoding"),
    ("soxr", "soxr", "soxr", "fast audio resampling"),
    ("scipy", "scipy", "scipy", "audio resampling fallback"),
    ("ray", "ray", "ray", "sweeps on a Ray cluster (hydra/launcher=ray)"),
    ("joblib launcher", "hydra-joblib-launcher", "hydra_plugins.hydra_joblib_launcher", "parallel sweeps"),
    ("matplotlib", "matplotlib", "matplotlib", "sweep Pareto plot"),
]
_PROBED_DEVICES = ("GPU", "NPU")


def _library(dist: str, module: str) -> dict[str, Any]:
    try:
        version: str | None = _md.version(dist)
    except _md.PackageNotFoundError:
        version = None
    try:
        importable = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        importable = False
    return {"present": version is not None and importable, "version": version}


def _short(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("Exception from ")]
    return (lines[-1] if lines else type(exc).__name__)[:200]


def _devices(core: Any) -> tuple[dict[str, Any], dict[str, str]]:
    devices: dict[str, Any] = {}
    for dev in core.available_devices:
        info: dict[str, Any] = {}
        for key in ("FULL_DEVICE_NAME", "OPTIMIZATION_CAPABILITIES", "INFERENCE_PRECISION_HINT"):
            try:
                value = core.get_property(dev, key)
                info[key] = list(value) if isinstance(value, (list, tuple)) else _type_name(value)
            except Exception as exc:  # a plugin may not expose a key
                info[key] = f"unavailable: {_short(exc)}"
        devices[dev] = info
    missing: dict[str, str] = {}
    present = {d.split(".")[0] for d in devices}
    for dev in _PROBED_DEVICES:
        if dev in present:
            continue
        try:
            core.get_property(dev, "FULL_DEVICE_NAME")
            missing[dev] = "plugin loads but reports no device"
        except Exception as exc:
            why = _short(exc)
            missing[dev] = (
                "plugin loads but finds no device" if "Unsupported configuration key" in why else why
            )
    return devices, missing


def _type_name(value: Any) -> Any:
    """OpenVINO element types print as ``<Type: 'bfloat16'>``; report ``bf16``."""
    name = getattr(value, "to_string", None)
    if callable(name):
        return name()
    return value if isinstance(value, (int, float, bool)) else str(value)


def _audio_status() -> Any:
    if importlib.util.find_spec("ovbuild.runtime.audio") is None:
        return "unknown (ovbuild.runtime.audio not installed)"
    try:
        from ovbuild.runtime import audio

        status = getattr(audio, "audio_backend_status", None)
        return status() if status is not None else "unknown (no audio_backend_status)"
    except Exception as exc:  # doctor must report, not fail
        return f"unknown ({type(exc).__name__}: {exc})"


def _torchvision_status() -> str:
    from ovbuild import torchvision_guard

    found = torchvision_guard.diagnose()
    if not found["present"]:
        return "absent (not needed)"
    if found["loads"]:
        return "loads"
    return (
        f"installed but broken ({found['error']}); ovbuild hides it from transformers, "
        f"other programs importing transformers fail: {found['fix']}"
    )


def doctor_report() -> dict[str, Any]:
    """Everything ``ovbuild doctor`` shows, as JSON-serializable data.

    Returns:
        ``{"openvino": version, "devices": {dev: {FULL_DEVICE_NAME, OPTIMIZATION_CAPABILITIES,
        INFERENCE_PRECISION_HINT}}, "unavailable_devices": {dev: reason}, "cpu_inference_precision",
        "libraries": {label: {present, version, enables}}, "fallbacks": {...}}``.
    """
    import openvino as ov

    core = ov.Core()
    devices, missing = _devices(core)
    libraries = {}
    for label, dist, module, enables in OPTIONAL_LIBRARIES:
        libraries[label] = {**_library(dist, module), "enables": enables}
    gpu = any(d.startswith("GPU") for d in devices)
    fallbacks = {
        "device": "GPU present" if gpu else "no GPU: GPU-first plans are planned onto CPU (with a warning)",
        "text_frontend": (
            "in-graph (openvino-tokenizers)"
            if libraries["openvino-tokenizers"]["present"]
            else "host-side tokenizer (transformers)"
            if libraries["transformers"]["present"]
            else "none: text recipes need openvino-tokenizers or transformers"
        ),
        "audio": _audio_status(),
        "sweep_launchers": ", ".join(
            ["basic"] + [n for n in ("joblib launcher", "ray") if libraries[n]["present"]]
        ),
        "torchvision": _torchvision_status(),
    }
    return {
        "openvino": ov.get_version(),
        "devices": devices,
        "unavailable_devices": missing,
        "cpu_inference_precision": devices.get("CPU", {}).get("INFERENCE_PRECISION_HINT"),
        "libraries": libraries,
        "fallbacks": fallbacks,
    }


def format_doctor(report: dict[str, Any]) -> str:
    """A human-readable rendering of :func:`doctor_report`."""
    lines = [f"OpenVINO {report['openvino']}", "", "Devices:"]
    for dev, info in report["devices"].items():
        caps = info.get("OPTIMIZATION_CAPABILITIES")
        caps = ", ".join(caps) if isinstance(caps, list) else caps
        lines.append(f"  {dev:<8}{info.get('FULL_DEVICE_NAME')}")
        lines.append(f"  {'':<8}capabilities: {caps}")
        lines.append(f"  {'':<8}default inference precision: {info.get('INFERENCE_PRECISION_HINT')}")
    for dev, why in report["unavailable_devices"].items():
        lines.append(f"  {dev:<8}not available: {why}")
    lines += ["", "Optional libraries:"]
    for label, lib in report["libraries"].items():
        state = f"{lib['version']}" if lib["present"] else "absent"
        lines.append(f"  {label:<21}{state:<14}{lib['enables']}")
    lines += ["", "Fallbacks:"]
    for key, value in report["fallbacks"].items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if k != "versions")
        lines.append(f"  {key:<16} {value}")
    return "\n".join(lines)
