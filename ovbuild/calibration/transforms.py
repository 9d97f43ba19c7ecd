"""Raw calibration items → model input dicts, through the recipe's own front-end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError


def input_specs(model: Any) -> list[tuple[str, list[int], Any]]:
    """``[(name, shape with -1 for dynamic dims, numpy dtype or None for strings)]``."""
    specs = []
    for port in model.inputs:
        pshape = port.get_partial_shape()
        shape = [d.get_length() if d.is_static else -1 for d in pshape] if pshape.rank.is_static else []
        etype = port.get_element_type()
        dtype = None if etype.get_type_name() == "string" else etype.to_dtype()
        specs.append((port.get_any_name(), shape, dtype))
    return specs


def _where(cfg: dict[str, Any]) -> str:
    return cfg.get("path") or cfg.get("target") or cfg["kind"]


def fit(sample: dict[str, Any], specs: list, cfg: dict[str, Any], index: int) -> dict[str, np.ndarray]:
    """Check ``sample`` against the model's inputs: names, ranks, static dims; cast dtypes."""
    out = {}
    for name, shape, dtype in specs:
        if name not in sample:
            raise StageError(
                f"calibration: sample {index} from {_where(cfg)} has no input {name!r} "
                f"(it has {sorted(sample)}); the model takes {[s[0] for s in specs]}"
            )
        value = np.asarray(sample[name])
        if shape and value.ndim == len(shape) - 1:
            value = value[None]  # one sample without its batch axis
        bad = shape and (
            value.ndim != len(shape) or any(d not in (-1, v) for d, v in zip(shape, value.shape, strict=True))
        )
        if bad:
            raise StageError(
                f"calibration: sample {index} from {_where(cfg)} does not fit input {name!r}: "
                f"shape {list(value.shape)} vs the model's {shape}"
            )
        if dtype is not None:
            if value.dtype.kind in "USO":
                raise StageError(
                    f"calibration: sample {index} from {_where(cfg)}: input {name!r} is text, "
                    f"the model wants {dtype}"
                )
            value = value.astype(dtype, copy=False)
        out[name] = value
    return out


def _text(
    items: list[str], frontend: dict[str, Any], tokenizer: str | None, specs: list
) -> list[dict[str, Any]]:
    if any(dtype is None for _, _, dtype in specs):
        # The tokenizer is compiled into the graph: the model takes the strings themselves.
        return [{name: np.array([line]) for name, _, dtype in specs if dtype is None} for line in items]
    # The loader's own host tokenizer, so calibration sees what inference sees.
    from ovbuild.config.tokenizer import tokenizer_dir
    from ovbuild.runtime.text import host_encode, host_tokenizer

    static = next((s[-1] for _, s, _ in specs if len(s) > 1 and s[-1] > 0), None)
    length = int(frontend.get("max_length") or static or 128)
    padding = frontend.get("padding") or ("max_length" if static else "longest")
    path = tokenizer_dir(tokenizer) / "tokenizer.json"
    if not path.is_file():
        raise StageError(f"frontend.tokenizer: no tokenizer.json in {path.parent} for calibration text")
    try:
        tokenizer = host_tokenizer(path, length, padding)
    except Exception as exc:
        raise StageError(f"frontend.tokenizer: cannot load {path}: {exc}") from exc
    names = [name for name, _, _ in specs]
    return [host_encode(tokenizer, [line], names) for line in items]


def _audio(items: list[Path], frontend: dict[str, Any], specs: list) -> list[dict[str, Any]]:
    from ovbuild.runtime.audio import audio_decode

    floats = [(n, s) for n, s, d in specs if d is not None and np.issubdtype(d, np.floating)]
    if frontend.get("kind") != "audio" or not frontend.get("embed", True) or len(floats) != 1:
        raise StageError(
            "calibration.kind=audio_dir: the model must take a waveform; set frontend=audio with embed=true"
        )
    name, shape = floats[0]
    length = shape[-1] if shape and shape[-1] > 0 else None
    samples = []
    for path in items:
        try:
            wave, _ = audio_decode(str(path), frontend.get("sample_rate", 16000))
        except Exception as exc:
            raise StageError(f"calibration.path: cannot decode {path}: {exc}") from exc
        wave = wave.mean(axis=0) if wave.ndim > 1 else wave
        if length:
            wave = np.pad(wave, (0, max(0, length - len(wave))))[:length]
        samples.append({name: wave.astype(np.float32).reshape([1] * (len(shape) - 1) + [-1])})
    return samples


def _image(items: list[Path], frontend: dict[str, Any], specs: list, model: Any) -> list[dict[str, Any]]:
    """Images through the recipe's image front-end: in the graph when embedded (the raw RGB image is
    the sample), else the same steps run host-side; without a front-end, a plain resize."""
    from PIL import Image

    name, shape, _ = specs[0]
    image_frontend = frontend.get("kind") == "image"
    if len(shape) != 4 or (not image_frontend and any(d <= 0 for d in shape[1:])):
        raise StageError(
            f"calibration.kind=image_dir: input {name!r} has shape {shape}, not a static image batch; "
            "set frontend=image (with frontend.size) so images are resized to the model"
        )
    prepare = _host_steps(frontend, model) if image_frontend and not frontend.get("embed", True) else None
    samples = []
    for path in items:
        try:
            with Image.open(path) as img:
                rgb = img.convert("RGB")
        except OSError as exc:
            raise StageError(f"calibration.path: cannot read image {path}: {exc}") from exc
        if image_frontend:
            x = np.asarray(rgb)[None]
            samples.append({name: prepare(x) if prepare else x})
            continue
        nchw = shape[1] in (1, 3)
        h, w = (shape[2], shape[3]) if nchw else (shape[1], shape[2])
        x = np.asarray(rgb.resize((w, h), Image.BILINEAR), np.float32)
        samples.append({name: (x.transpose(2, 0, 1) if nchw else x)[None]})
    return samples


def _host_steps(frontend: dict[str, Any], model: Any) -> Any:
    """The image front-end's steps compiled standalone (what the loader runs with ``embed: false``)."""
    import openvino as ov

    from ovbuild.frontends.image import image_steps, preprocess_model

    port = model.inputs[0]
    pre = preprocess_model(image_steps(frontend), port.get_partial_shape(), port.get_element_type())
    compiled = ov.Core().compile_model(pre, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return lambda x: np.array(compiled(x)[0])


def transform(
    items: list[Any],
    cfg: dict[str, Any],
    frontend: dict[str, Any],
    tokenizer: str | None,
    model: Any,
    split: str,
) -> list[dict]:
    """Raw items of one split → fitted input dicts, with a progress bar."""
    from tqdm import tqdm

    if not items:
        return []
    specs = input_specs(model)
    kind = cfg["kind"]
    if kind == "text_lines":
        samples = _text(items, frontend, tokenizer, specs)
    elif kind == "audio_dir":
        samples = _audio(items, frontend, specs)
    elif kind == "image_dir":
        samples = _image(items, frontend, specs, model)
    elif kind == "synthetic":
        from ovbuild.metrics import synthetic_inputs

        samples = synthetic_inputs(model, len(items), seed=cfg.get("seed", 0) + (split == "holdout"))
    else:
        samples = items
    return [fit(s, specs, cfg, i) for i, s in enumerate(tqdm(samples, desc=f"{split} samples", leave=False))]
