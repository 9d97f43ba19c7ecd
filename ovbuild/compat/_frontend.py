"""The front-end a legacy config implies: what turns ``run_inference``'s data into model inputs.

- ``model_type: "audio"`` with feature keys: an audio front-end (:func:`audio_frontend`).
- ``model_type: "text"``: a HuggingFace directory compiles its tokenizer in; a model file
  (``.xml``/``.onnx``) is tokenized host-side with the tokenizer found by :func:`find_tokenizer`.
- ``model_type: "vision"``: images of any size are resized to the model's input and converted
  to its layout and element type inside the compiled model (:func:`vision_frontend`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ovbuild.compat._checker import Checker
from ovbuild.compat._keys import AUDIO_KEYS, FEATURES
from ovbuild.config.sections import source_of

TOKENIZER_IR = "openvino_tokenizer.xml"
_HF_TOKENIZER_FILES = ("tokenizer.json",)


def audio_frontend(c: Checker, overrides: dict[str, Any]) -> dict[str, Any] | None:
    """``{kind: audio, ...}`` from the feature keys (``run_inference``'s ``overrides`` win), or
    ``None`` when no feature key is given: an audio model may well take raw tensors (silero-vad
    does), and the old API computed features only when told how."""
    merged = {
        **{k: c.config.get(k) for k in AUDIO_KEYS},
        **{k: v for k, v in overrides.items() if v is not None},
    }
    given = {k: v for k, v in merged.items() if v is not None}
    if not given:
        return None
    sub = Checker(given)
    sr = sub.get("sample_rate", (int,), "an integer number of Hz")
    ft = sub.choice("feature_type", sub.get("feature_type", (str,), "'log_mel', 'mfcc' or 'raw'"), FEATURES)
    size = sub.get("feature_size", (int,), "an integer")
    norm = sub.get("normalize", (bool,), "true or false")
    n_fft = sub.get("n_fft", (int,), "an integer")
    hop = sub.get("hop_length", (int,), "an integer")
    c.problems.extend(sub.problems)
    for key, value in (("sample_rate", sr), ("feature_size", size), ("n_fft", n_fft), ("hop_length", hop)):
        if value is not None and value <= 0:
            c.problems.append(f"{key}: must be positive, got {value}")
    fe: dict[str, Any] = {"kind": "audio"}
    if size:
        fe.update({"n_mfcc": size, "n_mels": max(40, size)} if ft == "mfcc" else {"n_mels": size})
    for key, value in (("sample_rate", sr), ("features", ft), ("n_fft", n_fft), ("hop_length", hop)):
        if value:
            fe[key] = value
    if norm is not None:
        fe["normalize"] = norm
    return fe


def find_tokenizer(c: Checker, model_path: str) -> str | None:
    """The tokenizer for a text model file: the ``tokenizer`` key, else ``openvino_tokenizer.xml``
    or a HuggingFace tokenizer (``tokenizer.json``) beside the model; ``None`` if there is none."""
    given = c.get("tokenizer", (str, os.PathLike), "a tokenizer directory or an openvino_tokenizer.xml")
    if given is not None:
        path = Path(given).expanduser().resolve()
        if not path.exists():
            c.problems.append(f"tokenizer: no such file or directory: {path}")
            return None
        return str(path)
    folder = Path(model_path).parent
    if any((folder / name).is_file() for name in _HF_TOKENIZER_FILES):
        return str(folder)
    if (folder / TOKENIZER_IR).is_file():
        return str(folder / TOKENIZER_IR)
    return None


def missing_tokenizer_advice(model_path: str) -> str:
    """Exactly what to add so a text model file takes strings."""
    folder = Path(model_path).parent
    return (
        f"model_type 'text': {model_path} has no tokenizer beside it, so run_inference cannot take "
        f"strings; put the HuggingFace tokenizer files (tokenizer.json, tokenizer_config.json) or an "
        f"{TOKENIZER_IR} in {folder}, or add 'tokenizer': '<tokenizer directory>' to the config "
        "(until then pass a dict of input arrays)"
    )


def model_inputs(path: str) -> dict[str, list[int] | None]:
    """Input names and shapes (-1 for dynamic) as the model file declares them; ``{}`` when
    OpenVINO cannot read it (the build then reports that with its own message)."""
    try:
        import openvino as ov

        ports = ov.Core().read_model(path).inputs
    except Exception:  # noqa: BLE001
        return {}
    out: dict[str, list[int] | None] = {}
    for port in ports:
        shape = port.get_partial_shape()
        name = port.get_any_name() if port.get_names() else f"input_{len(out)}"
        out[name] = [d.get_length() if d.is_static else -1 for d in shape] if shape.rank.is_static else None
    return out


def _model_file(source: dict[str, Any]) -> Path | None:
    """The model file OpenVINO reads as it is, as the source's kind says (None for a directory or
    converter a stage must export first, or a missing file): only its inputs are known now."""
    kind = source_of(source)
    return kind.model_file(source) if kind is not None else None


def _input_shape(path: str, kind: str) -> list[int] | None:
    shapes = list(model_inputs(path).values())
    return shapes[0] if shapes else None


def drop_unknown_shapes(device: dict[str, Any], source: dict[str, Any], warnings: list[str]) -> None:
    """``input_shapes`` naming inputs the model does not have: dropped, with a warning that lists
    its real inputs (the old API ignored them too; OpenVINO would refuse the whole reshape)."""
    shapes = device.get("input_shapes")
    if not shapes or _model_file(source) is None:
        return
    inputs = model_inputs(source["path"])
    unknown = [name for name in shapes if inputs and name not in inputs]
    for name in unknown:
        del shapes[name]
    if unknown:
        real = ", ".join(f"{n} {s}" for n, s in inputs.items())
        warnings.append(
            f"input_shapes: the model has no input(s) {', '.join(unknown)} (its inputs: {real}); ignored"
        )
    if not shapes:
        del device["input_shapes"]
        if device.pop("precompile_shapes", None):
            warnings.append(
                "precompile_shapes: no input_shapes left to precompile; the model's own shapes are used"
            )


def text_frontend(c: Checker, source: dict[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    """A host-side (``tokenizer.json``) or embedded (``openvino_tokenizer.xml``) text front-end."""
    tokenizer = find_tokenizer(c, source["path"])
    if tokenizer is None:
        if not c.problems:
            warnings.append(missing_tokenizer_advice(source["path"]))
        return None
    shape = _input_shape(source["path"], source["kind"]) or []
    static = len(shape) == 2 and shape[-1] > 0
    return {
        "kind": "text",
        "tokenizer": tokenizer,
        "max_length": shape[-1] if static else 128,
        # every row padded to one length, as the old API's tokenizer did: calibration sentences
        # stack into one batch, and a static token axis gets the length it needs
        "padding": "max_length",
        "embed": tokenizer.endswith(".xml"),
    }


def vision_frontend(source: dict[str, Any]) -> dict[str, Any] | None:
    """Resize to the model's own height and width, in its layout (channels at 1 or at 3)."""
    shape = _input_shape(source["path"], source["kind"])
    if not shape or len(shape) != 4:
        return None
    layout = "NCHW" if shape[1] == 3 else "NHWC" if shape[3] == 3 else None
    if layout is None:
        return None
    height, width = (shape[2], shape[3]) if layout == "NCHW" else (shape[1], shape[2])
    if height <= 0 or width <= 0:
        height, width = 224, 224
    return {"kind": "image", "size": [height, width], "layout": layout}


def model_frontend(
    c: Checker,
    model_type: str | None,
    source: dict[str, Any],
    overrides: dict[str, Any],
    warnings: list[str],
) -> dict[str, Any] | None:
    """The recipe's ``frontend`` section for a legacy config (see the module docstring)."""
    audio = audio_frontend(c, overrides)
    if audio is not None:
        return audio
    kind = source_of(source)
    if kind is None:
        return None
    if kind.faster_whisper_dir(source) is not None:  # weights faster-whisper runs: Whisper's front-end
        from ovbuild.compat._whisper import WHISPER_FRONTEND

        return dict(WHISPER_FRONTEND)
    if kind.huggingface_dir(source) and model_type in (None, "text"):
        return {"kind": "text"}  # a HuggingFace text model carries its tokenizer: compiled in
    if _model_file(source) is None:
        return None
    if model_type == "text":
        return text_frontend(c, source, warnings)
    if model_type == "vision":
        return vision_frontend(source)
    return None
