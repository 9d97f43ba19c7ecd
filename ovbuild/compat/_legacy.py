"""Translate the old ``OpenVINOBackend`` config dict into an ovbuild recipe (a plain dict).

Every key keeps the meaning it had in the old API; each maps onto a recipe field (see
:data:`KEYS`). Wrong types are collected and reported together, each naming the legacy key;
unknown keys are reported as warnings, never silently dropped. Calibration samples given inline
(``calibration_data``) become a content-addressed ``.npz`` in the store, written only after the
recipe has validated.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.compat import _calibration
from ovbuild.compat._checker import Checker, kind_of
from ovbuild.errors import RecipeError

#: Every key the old API understood, with what it becomes in the recipe.
KEYS: dict[str, str] = {
    "device": "device.priorities / device.mode",
    "model_type": "frontend kind and the data modality run_inference accepts",
    "model_path": "source.path",
    "model_format": "source.kind",
    "legacy_converter": "source.converter (kind legacy)",
    "precision": "precision.default",
    "mixed_precision": "precision.rules (with mixed_precision_config)",
    "mixed_precision_config": "precision.default and precision.rules",
    "calibration_data": "calibration (an .npz, or text lines)",
    "calibration_samples": "calibration.samples",
    "multi_device": "device.mode multi",
    "device_priorities": "device.priorities",
    "performance_hint": "device.performance_hint",
    "gpu_fp16_enable": "device.gpu_fp16_enable",
    "gpu_optimize": "device.gpu_optimize",
    "precompile_shapes": "device.precompile_shapes",
    "input_shapes": "device.input_shapes",
    "use_optimum": "source.kind hf",
    "sample_rate": "frontend.sample_rate",
    "feature_type": "frontend.features",
    "feature_size": "frontend.n_mels / frontend.n_mfcc",
    "normalize": "frontend.normalize",
    "n_fft": "frontend.n_fft",
    "hop_length": "frontend.hop_length",
}
AUDIO_KEYS = ("sample_rate", "feature_type", "feature_size", "normalize", "n_fft", "hop_length")
MODEL_TYPES = ("text", "vision", "audio", "multimodal")
_FORMATS = {
    "ir": "ir",
    "xml": "ir",
    "openvino": "ir",
    "onnx": "onnx",
    "legacy": "legacy",
    "tflite": "tflite",
    "hf": "hf",
    "huggingface": "hf",
    "optimum": "hf",
}
_SUFFIX_FORMATS = {".xml": "ir", ".onnx": "onnx", ".tflite": "tflite"}
_PRECISIONS = ("fp32", "fp16", "bf16", "int8", "int8_weights", "int4_weights")
_LAYERS = ("attention", "matmul", "conv", "embedding", "norm", "softmax", "head")
_FEATURES = {  # librosa's naming: a "mel spectrogram" is linear power, "log_mel" is in dB
    "mel": "mel",
    "melspectrogram": "mel",
    "log_mel": "log_mel",
    "logmel": "log_mel",
    "log_mel_spectrogram": "log_mel",
    "fbank": "log_mel",
    "mfcc": "mfcc",
    "whisper": "whisper_log_mel",
    "whisper_log_mel": "whisper_log_mel",
    "raw": "raw",
    "waveform": "raw",
}
_HINTS = ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT")


@dataclass
class Translation:
    """A legacy config turned into a recipe, plus what must be written before building it."""

    raw: dict[str, Any]
    model_type: str | None
    warnings: list[str] = field(default_factory=list)
    pending: dict[Path, bytes] = field(default_factory=dict)  # files to write (content-addressed)

    def write_pending(self) -> None:
        """Write the calibration files: temp file beside the target, then one ``os.replace``."""
        for path, data in self.pending.items():
            if path.is_file():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)


def recipe_name(name: str) -> str:
    """An artifact-safe recipe name for a legacy model name."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._")
    return safe or "model"


def _source(c: Checker, store_root: Path, warnings: list[str]) -> dict[str, Any]:
    path = c.get("model_path", (str, os.PathLike), "a path string")
    fmt = c.choice("model_format", c.get("model_format", (str,), "a string such as 'IR' or 'ONNX'"), _FORMATS)
    conv = c.config.get("legacy_converter")
    use_optimum = c.get("use_optimum", (bool,), "true or false")
    if conv is not None and not (callable(conv) or isinstance(conv, str)):
        c.problems.append(f"legacy_converter: expected a callable or 'module:function', got {kind_of(conv)}")
        conv = None
    if use_optimum:
        if fmt not in (None, "hf"):
            warnings.append(f"use_optimum: true overrides model_format {c.config['model_format']!r}")
        fmt = "hf"
    if fmt is None and conv is not None:
        fmt = "legacy"
    if path is not None:
        path = str(Path(path).expanduser().resolve())
    if fmt == "legacy":
        if conv is None:
            c.problems.append("legacy_converter: required when model_format is 'legacy'")
            return {"kind": "legacy"}
        if isinstance(conv, str):
            if not re.match(r"^[\w.]+:[\w.]+$", conv):
                c.problems.append(f"legacy_converter: {conv!r} is not a 'module:function' reference")
            ref = conv
        else:
            from ovbuild.compat.converters import register

            ref = register(conv, path)
        return {"kind": "legacy", "path": path, "converter": ref}
    if conv is not None:
        warnings.append(f"legacy_converter ignored: model_format is {c.config.get('model_format')!r}")
    if path is None:
        if "model_path" not in c.config or c.config.get("model_path") is None:
            c.problems.append("model_path: required (the model file or directory to load)")
        return {"kind": fmt or "onnx"}
    p = Path(path)
    if not p.exists():
        c.problems.append(f"model_path: no such file or directory: {path}")
        return {"kind": fmt or "onnx", "path": path}
    if fmt is None:
        if p.is_dir() and (p / "config.json").is_file():
            fmt = "hf"
        else:
            fmt = _SUFFIX_FORMATS.get(p.suffix.lower())
        if fmt is None:
            c.problems.append(
                f"model_format: cannot tell the format of {path} from its name; set model_format to "
                "IR, ONNX, TFLITE or legacy (or use_optimum: true for a HuggingFace directory)"
            )
            return {"kind": "onnx", "path": path}
    return {"kind": fmt, "path": path}


def _precision(c: Checker) -> dict[str, Any]:
    prec = c.choice("precision", c.get("precision", (str,), "FP32, FP16 or INT8"), _PRECISIONS)
    out: dict[str, Any] = {"default": prec or "fp32", "rules": []}
    mixed = c.get("mixed_precision", (bool,), "true or false")
    mpc = c.get("mixed_precision_config", (dict,), "a dict with 'precision_config'")
    if not mixed:
        return out
    table = (mpc or {}).get("precision_config", {}) if mpc is not None else {}
    if not isinstance(table, dict):
        c.problems.append(f"mixed_precision_config.precision_config: expected a dict, got {kind_of(table)}")
        return out
    if not table:
        c.problems.append(
            "mixed_precision_config.precision_config: required when mixed_precision is true, e.g. "
            "{'attention': 'FP16', 'matmul': 'INT8', 'default': 'INT8'}"
        )
        return out
    for layer, value in table.items():
        key = f"mixed_precision_config.precision_config.{layer}"
        if not isinstance(value, str):
            c.problems.append(f"{key}: expected FP32, FP16 or INT8, got {kind_of(value)} {value!r}")
            continue
        p = c.choice(key, value, _PRECISIONS)
        if p is None:
            continue
        if layer == "default":
            out["default"] = p
        elif str(layer).lower() in _LAYERS:
            out["rules"].append({"layer": str(layer).lower(), "precision": p})
        else:
            c.problems.append(f"{key}: unknown layer class {layer!r} (known: default, {', '.join(_LAYERS)})")
    if "default" not in table and prec is None:
        out["default"] = "int8"  # the old API's mixed mode quantized everything not listed
    return out


def _device(c: Checker, available: list[str], warnings: list[str]) -> dict[str, Any]:
    device = c.get("device", (str,), "a device string such as 'CPU', 'GPU' or 'AUTO:GPU,CPU'")
    multi = c.get("multi_device", (bool,), "true or false")
    prios = c.get("device_priorities", (list, tuple), "a list such as ['GPU(1.5)', 'CPU(1.0)']")
    if prios is not None and not all(isinstance(p, str) for p in prios):
        c.problems.append(f"device_priorities: every item must be a string, got {list(prios)!r}")
        prios = None
    out: dict[str, Any] = {"priorities": ["CPU"], "mode": "single"}
    if device:
        head, _, rest = device.strip().partition(":")
        head = head.upper()
        if rest and head in ("AUTO", "MULTI", "HETERO"):
            out = {"priorities": [d.strip() for d in rest.split(",") if d.strip()], "mode": head.lower()}
        elif head == "AUTO":
            # Bare AUTO: let OpenVINO choose among what this machine has (GPU first when present).
            present = sorted({d.split(".")[0] for d in available}, key=lambda d: (d != "GPU", d))
            out = {"priorities": present or ["CPU"], "mode": "auto"}
        elif head == "MULTI":
            out = {"priorities": sorted({d.split(".")[0] for d in available}) or ["CPU"], "mode": "multi"}
        else:
            out = {"priorities": [device.strip()], "mode": "single"}
    if prios:
        out["priorities"] = list(prios)
        if out["mode"] == "single" and len(prios) > 1:
            out["mode"] = "auto"
    if multi:
        out["mode"] = "multi"
    elif multi is False and out["mode"] == "multi":
        out["mode"] = "auto"
    hint = c.choice("performance_hint", c.get("performance_hint", (str,), "LATENCY or THROUGHPUT"), _HINTS)
    if hint:
        out["performance_hint"] = hint
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
    if (fp16 is not None or opt is not None) and not any(d.startswith("GPU") for d in available):
        warnings.append(
            "gpu_fp16_enable/gpu_optimize apply to GPU only; no GPU on this machine "
            f"(devices: {', '.join(available) or 'none'}), so the model runs on CPU without them"
        )
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


def _frontend(c: Checker, model_type: str | None, overrides: dict[str, Any]) -> dict[str, Any] | None:
    merged = {
        **{k: c.config.get(k) for k in AUDIO_KEYS},
        **{k: v for k, v in overrides.items() if v is not None},
    }
    given = {k: v for k, v in merged.items() if v is not None}
    # No feature keys, no front-end: an "audio" model may well take raw tensors (silero-vad does),
    # and the old API computed features only when told how.
    if not given:
        return None
    sub = Checker(given)
    sr = sub.get("sample_rate", (int,), "an integer number of Hz")
    ft = sub.choice("feature_type", sub.get("feature_type", (str,), "'log_mel', 'mfcc' or 'raw'"), _FEATURES)
    size = sub.get("feature_size", (int,), "an integer")
    norm = sub.get("normalize", (bool,), "true or false")
    n_fft = sub.get("n_fft", (int,), "an integer")
    hop = sub.get("hop_length", (int,), "an integer")
    c.problems.extend(sub.problems)
    for key, value in (("sample_rate", sr), ("feature_size", size), ("n_fft", n_fft), ("hop_length", hop)):
        if value is not None and value <= 0:
            c.problems.append(f"{key}: must be positive, got {value}")
    fe: dict[str, Any] = {"kind": "audio"}
    if sr:
        fe["sample_rate"] = sr
    if ft:
        fe["features"] = ft
    if size:
        if ft == "mfcc":
            fe["n_mfcc"] = size
            fe["n_mels"] = max(40, size)
        else:
            fe["n_mels"] = size
    if norm is not None:
        fe["normalize"] = norm
    if n_fft:
        fe["n_fft"] = n_fft
    if hop:
        fe["hop_length"] = hop
    return fe


def translate(
    name: str,
    config: dict[str, Any],
    *,
    store_root: str | Path = "outputs",
    available: list[str] | None = None,
    run_overrides: dict[str, Any] | None = None,
) -> Translation:
    """Turn a legacy config dict into a recipe dict (not yet validated against the schema).

    Args:
        name: the legacy model name; becomes the recipe (artifact) name.
        config: the legacy dict.
        store_root: the store the calibration files and artifacts go to.
        available: the devices present here (``openvino.Core().available_devices``).
        run_overrides: audio keys given to ``run_inference``, which take precedence.

    Returns:
        The recipe dict, the model type, warnings (unknown keys first) and files to write.

    Raises:
        RecipeError: listing every problem, each naming its legacy key.
    """
    if not isinstance(config, dict):
        raise RecipeError(f"config: expected a dict, got {kind_of(config)} {config!r}", recipe=str(name))
    if not isinstance(name, str) or not name.strip():
        raise RecipeError(f"name: expected a non-empty string, got {name!r}")
    available = list(available if available is not None else ["CPU"])
    root = Path(store_root).expanduser().resolve()
    warnings: list[str] = []
    unknown = sorted(str(k) for k in config if k not in KEYS)
    if unknown:
        warnings.append(f"unknown legacy config key(s) ignored: {', '.join(unknown)}")
    c = Checker(config)
    mt = c.choice("model_type", c.get("model_type", (str,), "text, vision, audio or multimodal"), MODEL_TYPES)
    pending: dict[Path, bytes] = {}
    source = _source(c, root, warnings)
    precision = _precision(c)
    device = _device(c, available, warnings)
    frontend = _frontend(c, mt, run_overrides or {})
    if frontend is None and source.get("kind") == "hf" and mt in (None, "text"):
        # A HuggingFace text model carries its tokenizer: compiled into the graph, strings in.
        frontend = {"kind": "text"}
    calibration = _calibration.calibration(c, precision, root, pending, warnings)
    if c.problems:
        error = RecipeError(c.problems, recipe=name)
        error.legacy_warnings = warnings  # the caller still reports unknown keys
        raise error
    raw = {
        "name": recipe_name(name),
        "description": f"converted from a legacy OpenVINOBackend config ({name!r})",
        "source": source,
        "inputs": {},
        "precision": precision,
        "device": device,
        "frontend": frontend,
        "calibration": calibration,
        "validate": None,
        "store": {"root": str(root)},
    }
    return Translation(
        raw=raw, model_type=mt or _guess_type(source, frontend), warnings=warnings, pending=pending
    )


def _guess_type(source: dict[str, Any], frontend: dict[str, Any] | None) -> str | None:
    if frontend is not None:
        return frontend["kind"]
    return "text" if source.get("kind") == "hf" else None


def to_yaml(raw: dict[str, Any], notes: list[str] | None = None) -> str:
    """A recipe file for ``raw``: a ``# @package _global_`` overlay ``ovbuild build`` accepts."""
    from omegaconf import OmegaConf

    body = {k: v for k, v in raw.items() if k not in ("store",) and v not in (None, {}, [])}
    body = {"defaults": [{"override /source": raw["source"]["kind"]}], **body}
    header = ["# @package _global_", "# Generated by ovbuild.compat.recipe_from_legacy."]
    header += [f"# NOTE: {n}" for n in notes or []]
    return "\n".join(header) + "\n" + OmegaConf.to_yaml(OmegaConf.create(body))
