"""What ``run_inference`` was given, and whether the loaded model can take it.

The old API accepted text, audio (a file path, bytes or a waveform), named tensors or batches of
these. The loader accepts the same things, but data of the wrong modality would surface as an
OpenVINO shape error deep in the call; checking first lets the error dict say what was given and
what the model takes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ovbuild.runtime.manifest import Manifest

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".aiff", ".aif", ".au", ".m4a")


class DataError(ValueError):
    """The data given to ``run_inference`` does not fit the model."""


def _is_audio_file(item: Any) -> bool:
    if not isinstance(item, (str, os.PathLike)):
        return False
    path = Path(item)
    return path.suffix.lower() in AUDIO_SUFFIXES


def _is_image_file(item: Any) -> bool:
    return isinstance(item, (str, os.PathLike)) and Path(item).suffix.lower() in IMAGE_SUFFIXES


def classify(data: Any) -> tuple[str, bool, int]:
    """``(modality, is_batch, items)`` of legacy ``run_inference`` data.

    Modalities: ``text`` (strings), ``audio`` (audio file paths, bytes), ``tensors`` (a dict of
    named arrays), ``array`` (one array: a waveform for an audio model, a tensor otherwise).
    """
    import numpy as np

    if data is None:
        raise DataError("data: nothing to run (got None)")
    if isinstance(data, dict):
        first = next(iter(data.values()), None)
        shape = np.shape(first) if first is not None else ()
        return "tensors", False, int(shape[0]) if len(shape) > 1 else 1
    if isinstance(data, (bytes, bytearray)) or _is_audio_file(data):
        return "audio", False, 1
    if _is_image_file(data):
        return "image", False, 1
    if isinstance(data, (str, os.PathLike)):
        return "text", False, 1
    if isinstance(data, (list, tuple)) and data:
        if all(isinstance(d, dict) for d in data):
            return "tensors", True, len(data)
        if all(_is_audio_file(d) or isinstance(d, (bytes, bytearray)) for d in data):
            return "audio", True, len(data)
        if all(isinstance(d, str) for d in data):
            return "text", False, len(data)
        if all(isinstance(d, np.ndarray) for d in data):
            return "array", True, len(data)
    if isinstance(data, (list, tuple)) and not data:
        raise DataError("data: an empty list; nothing to run")
    try:
        arr = np.asarray(data)
    except Exception as exc:
        raise DataError(f"data: cannot read {type(data).__name__} as inputs ({exc})") from exc
    if arr.dtype == object:
        raise DataError(f"data: a {type(data).__name__} of mixed items; pass one kind (texts, files, arrays)")
    return "array", False, int(arr.shape[0]) if arr.ndim > 1 else 1


def model_modality(manifest: Manifest, model_type: str | None) -> str:
    """What the artifact takes: ``text``, ``audio``, ``vision`` or ``tensors``."""
    kind = manifest.frontend_kind
    if kind == "image":
        return "vision"
    if kind in ("text", "audio"):
        return kind
    if model_type in ("text", "audio", "vision"):
        return model_type
    return "tensors"


def _describe_inputs(manifest: Manifest) -> str:
    return ", ".join(f"{p['name']} {p['type']}{p['shape']}" for p in manifest.inputs)


def _check_names(data: Any, names: list[str], inputs: str, model_name: str) -> None:
    """Named tensors must name exactly the model's inputs."""
    for item in data if isinstance(data, (list, tuple)) else [data]:
        unknown = sorted(set(item) - set(names))
        missing = [n for n in names if n not in item]
        if unknown:
            raise DataError(f"data: model {model_name!r} has no input(s) {unknown}; its inputs are {inputs}")
        if missing:
            raise DataError(f"data: missing input(s) {missing} for model {model_name!r} (inputs: {inputs})")


def check_fit(
    data: Any, modality: str, manifest: Manifest, model_name: str, model_type: str | None = None
) -> None:
    """Raise :class:`DataError` naming the mismatch when ``data`` cannot feed the model.

    Args:
        data: what ``run_inference`` was given.
        modality: the result of :func:`classify` for ``data``.
        manifest: the artifact's manifest (inputs, front-end).
        model_name: the legacy name, for the message.
        model_type: the legacy config's ``model_type`` (what a raw-tensor model takes).
    """
    takes = model_modality(manifest, model_type)
    inputs = _describe_inputs(manifest)
    names = [p["name"] for p in manifest.inputs]
    if modality == "tensors":
        _check_names(data, names, inputs, model_name)
        return
    embedded = manifest.embedded_frontend
    if modality == "image" and takes != "vision":
        raise DataError(f"data: got an image file, but model {model_name!r} takes {takes} ({inputs})")
    if modality == "text" and takes == "text" and manifest.frontend_kind != "text":
        from ovbuild.compat._frontend import missing_tokenizer_advice

        raise DataError(f"data: {missing_tokenizer_advice(str(manifest.source.get('path')))}")
    if modality == "text" and takes != "text":
        what = "audio (a file path, bytes or a waveform array)" if takes == "audio" else f"tensors ({inputs})"
        if isinstance(data, (str, os.PathLike)) and Path(data).suffix:
            raise DataError(
                f"data: {str(data)!r} is not an audio file ours can read "
                f"(suffixes {', '.join(AUDIO_SUFFIXES)}); model {model_name!r} takes {what}"
            )
        raise DataError(f"data: got text, but model {model_name!r} takes {what}")
    if modality == "audio" and takes != "audio":
        what = "text (strings)" if takes == "text" else f"tensors ({inputs})"
        raise DataError(f"data: got audio, but model {model_name!r} takes {what}")
    if modality == "array" and takes == "text" and embedded:
        raise DataError(
            f"data: got a numeric array, but model {model_name!r} takes text (a string or a list)"
        )
    if modality in ("array", "text", "audio") and takes in ("tensors", "vision") and len(names) != 1:
        raise DataError(
            f"data: model {model_name!r} has several inputs ({inputs}); pass a dict of named arrays"
        )
    if modality == "audio" and takes == "audio" and not embedded:
        # Without an embedded front-end the loader cannot turn a file into features.
        raise DataError(
            f"data: model {model_name!r} has no audio front-end, so it cannot decode files; "
            f"pass its input tensors ({inputs}) or load it with sample_rate/feature_type set"
        )
