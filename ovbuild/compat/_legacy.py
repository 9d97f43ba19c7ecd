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
from ovbuild.compat._device import device_section
from ovbuild.compat._frontend import drop_unknown_shapes, model_frontend
from ovbuild.compat._keys import FORMATS, KEYS, LAYERS, MODEL_TYPES, PRECISIONS, SUFFIX_FORMATS
from ovbuild.config.sections import source_of
from ovbuild.errors import RecipeError


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
    from ovbuild.hashing import sha256_text
    from ovbuild.store.paths import MAX_NAME_LENGTH

    safe = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name))).strip("._-") or "model"
    if len(safe) > MAX_NAME_LENGTH:  # the store's limit; a digest keeps long names apart
        safe = f"{safe[: MAX_NAME_LENGTH - 9]}-{sha256_text(str(name))[:8]}"
    return safe


def _source(c: Checker, store_root: Path, warnings: list[str]) -> dict[str, Any]:
    path = c.get("model_path", (str, os.PathLike), "a path string")
    fmt = c.choice("model_format", c.get("model_format", (str,), "a string such as 'IR' or 'ONNX'"), FORMATS)
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
        if p.is_dir() and (p / "model.bin").is_file():
            fmt = "ctranslate2"  # what faster-whisper runs
        elif p.is_dir() and (p / "config.json").is_file():
            fmt = "hf"
        else:
            fmt = SUFFIX_FORMATS.get(p.suffix.lower())
        if fmt is None:
            c.problems.append(
                f"model_format: cannot tell the format of {path} from its name; set model_format to "
                "IR, ONNX, TFLITE or legacy (or use_optimum: true for a HuggingFace directory)"
            )
            return {"kind": "onnx", "path": path}
    return {"kind": fmt, "path": path}


def _precision(c: Checker) -> dict[str, Any]:
    prec = c.choice("precision", c.get("precision", (str,), "FP32, FP16 or INT8"), PRECISIONS)
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
        p = c.choice(key, value, PRECISIONS)
        if p is None:
            continue
        if layer == "default":
            out["default"] = p
        elif str(layer).lower() in LAYERS:
            out["rules"].append({"layer": str(layer).lower(), "precision": p})
        else:
            c.problems.append(f"{key}: unknown layer class {layer!r} (known: default, {', '.join(LAYERS)})")
    if "default" not in table and prec is None:
        out["default"] = "int8"  # the old API's mixed mode quantized everything not listed
    return out


def _check_call(name: Any, config: Any) -> None:
    if not isinstance(config, dict):
        raise RecipeError(f"config: expected a dict, got {kind_of(config)} {config!r}", recipe=str(name))
    if not isinstance(name, str) or not name.strip():
        raise RecipeError(f"name: expected a non-empty string, got {name!r}")


def _sections(
    c: Checker, root: Path, available: list[str], overrides: dict[str, Any], warnings: list[str]
) -> tuple[str | None, dict[str, Any], dict[Path, bytes]]:
    """``(model_type, recipe sections, files to write)``; problems collect in ``c``."""
    mt = c.choice("model_type", c.get("model_type", (str,), "text, vision, audio or multimodal"), MODEL_TYPES)
    pending: dict[Path, bytes] = {}
    source = _source(c, root, warnings)
    precision = _precision(c)
    device = device_section(c, available, warnings)
    drop_unknown_shapes(device, source, warnings)
    sections = {
        "source": source,
        "precision": precision,
        "device": device,
        "frontend": model_frontend(c, mt, source, overrides, warnings),
        "calibration": _calibration.calibration(c, precision, root, pending, warnings),
    }
    return mt, sections, pending


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
        RecipeError: listing every problem, each naming its legacy key; its ``warnings`` carry
            what was found besides (unknown keys), for the caller to report too.
    """
    _check_call(name, config)
    root = Path(store_root).expanduser().resolve()
    warnings: list[str] = []
    unknown = sorted(str(k) for k in config if k not in KEYS)
    if unknown:
        warnings.append(f"unknown legacy config key(s) ignored: {', '.join(unknown)}")
    c = Checker(config)
    available = list(available if available is not None else ["CPU"])
    mt, sections, pending = _sections(c, root, available, run_overrides or {}, warnings)
    if c.problems:
        raise RecipeError(c.problems, recipe=name, warnings=warnings)
    raw = {
        "name": recipe_name(name),
        "description": f"converted from a legacy OpenVINOBackend config ({name!r})",
        "inputs": {},
        **sections,
        "validate": None,
        "store": {"root": str(root)},
    }
    return Translation(
        raw=raw,
        model_type=mt or _guess_type(sections["source"], sections["frontend"]),
        warnings=warnings,
        pending=pending,
    )


def _guess_type(source: dict[str, Any], frontend: dict[str, Any] | None) -> str | None:
    if frontend is not None:
        return frontend["kind"]
    kind = source_of(source)
    return "text" if kind is not None and kind.huggingface_dir(source) else None


def to_yaml(raw: dict[str, Any], notes: list[str] | None = None) -> str:
    """A recipe file for ``raw``: a ``# @package _global_`` overlay ``ovbuild build`` accepts."""
    from omegaconf import OmegaConf

    body = {k: v for k, v in raw.items() if k not in ("store",) and v not in (None, {}, [])}
    body = {"defaults": [{"override /source": raw["source"]["kind"]}], **body}
    header = ["# @package _global_", "# Generated by ovbuild.compat.recipe_from_legacy."]
    header += [f"# NOTE: {n}" for n in notes or []]
    return "\n".join(header) + "\n" + OmegaConf.to_yaml(OmegaConf.create(body))
