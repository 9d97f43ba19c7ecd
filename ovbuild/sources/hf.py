"""HuggingFace model directories, exported offline with optimum-intel's OpenVINO exporter.

The task comes from ``config.json`` (see :mod:`ovbuild.sources._detect`) unless ``source.task``
says otherwise. Every exported sub-model is renamed to ovbuild's convention: the encoder (or the
only model) is ``model.xml``, decoders are ``decoder_model.xml`` / ``decoder_with_past_model.xml``.
A sentence-transformers layout gets its pooling and normalization baked into ``model.xml``.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig
from ovbuild.errors import SourceError
from ovbuild.sources._detect import Detected, detect
from ovbuild.sources._generative import (
    export_task,
    generation_info,
    generative_kind,
    require_stateful,
    ship_hf_metadata,
)
from ovbuild.sources.base import ModuleSource

# optimum-intel file name -> ovbuild file stem (first listed wins as "model").
_EXPORTED = (
    ("openvino_model", "model", "model"),
    ("openvino_encoder_model", "model", "encoder"),
    ("openvino_decoder_model", "decoder_model", "decoder"),
    ("openvino_decoder_with_past_model", "decoder_with_past_model", "decoder_with_past"),
)
_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_POOLINGS = ("mean", "cls", "max", "none")


def model_dir(cfg: dict[str, Any]) -> Path:
    """The local model directory ``source.path`` names.

    Raises:
        SourceError: the path is missing, is a hub id (no network here), or holds no model.
    """
    raw = cfg.get("path")
    if not raw:
        raise SourceError("source.path: required for an hf source (a local HuggingFace model directory)")
    path = Path(raw).expanduser()
    if not path.exists():
        if _HUB_ID.match(str(raw)):
            raise SourceError(
                f"source.path: {raw!r} is not on disk; a HuggingFace source must be a local directory "
                "here (no network): download the model elsewhere and point source.path at its folder"
            )
        raise SourceError(f"source.path: no such directory: {path}")
    if not path.is_dir():
        raise SourceError(f"source.path: {path} is a file; an hf source is a model directory")
    path = path.resolve()
    if not (path / "config.json").is_file():
        raise SourceError(f"source.path: {path} is not a HuggingFace model directory (no config.json)")
    if not any((path / name).is_file() for name in _WEIGHT_FILES):
        raise SourceError(
            f"source.path: {path} has a config.json but no weights ({', '.join(_WEIGHT_FILES)})"
        )
    return path


def detected(cfg: dict[str, Any]) -> Detected:
    """Detection for ``cfg``, with the recipe's ``pooling``/``normalize`` overrides applied."""
    found = detect(model_dir(cfg), cfg.get("task"))
    pooling = cfg.get("pooling")
    if pooling is not None and pooling not in _POOLINGS:
        raise SourceError(f"source.pooling: {pooling!r} is not one of {', '.join(_POOLINGS)}")
    if pooling is None:
        pooling = found.pooling
    normalize = found.normalize if cfg.get("normalize") is None else bool(cfg["normalize"])
    if pooling == "none" or found.task != "feature-extraction":
        # Pooling reads token embeddings: it means nothing on logits or on a decoder.
        pooling, normalize = None, False
    return Detected(found.task, found.model_type, found.architectures, pooling, normalize, found.task_source)


def input_files(cfg: dict[str, Any]) -> list[Path]:
    """The model directory (every file in it enters the cache key).

    Raises:
        SourceError: see :func:`model_dir`; (an unknown ``model_type`` is found by :func:`convert`).
    """
    # Detection (which imports transformers, seconds) waits for convert, the first stage that
    # writes anything: an unchanged rebuild never needs it, and a bad model_type still fails
    # before anything is stored.
    return [model_dir(cfg)]


def convert(ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """Export the directory with optimum-intel, rename sub-models, bake sentence pooling.

    Generation tasks are exported with their KV cache as state and get tokenizer and
    detokenizer IRs plus the HF metadata openvino-genai reads (``result["generation"]``).

    Args:
        ctx: the stage context; IR is written into ``ctx.out_dir``.
        cfg: the ``source`` section of the recipe.

    Returns:
        ``{"models": {role: file}, "task", "model_type", "architectures", "pooling", ...}``.

    Raises:
        SourceError: the directory cannot be exported for the task.
    """
    path = model_dir(cfg)
    found = detected(cfg)
    started = time.perf_counter()
    models = export_hf(ctx, path, found.task)
    if found.pooling:
        _bake_pooling(ctx, found.pooling, found.normalize)
    result = {"models": models, **found.as_dict()}
    kind = generative_kind(found.task)
    if kind:
        result["generation"] = _generative_extras(ctx, path, kind)
    result["export_seconds"] = round(time.perf_counter() - started, 3)
    return result


def export_hf(ctx: Any, path: Path, task: str) -> dict[str, str]:
    """Export a local HF directory into ``ctx.out_dir`` under ovbuild's file names.

    Generation tasks (text-generation, text2text-generation, automatic-speech-recognition)
    are exported with past, stateful; a stateless decoder is an error.

    Returns:
        ``{role: file}``, e.g. ``{"model": "model.xml"}`` or
        ``{"model": "model.xml", "encoder": "model.xml", "decoder": "decoder_model.xml"}``.

    Raises:
        SourceError: optimum-intel cannot export it, or the decoder came out stateless.
    """
    export_dir = ctx.out_dir / "_export"
    _export(path, export_dir, export_task(task))
    models: dict[str, str] = {}
    for exported, stem, role in _EXPORTED:
        xml = export_dir / f"{exported}.xml"
        if not xml.is_file():
            continue
        xml.replace(ctx.out_dir / f"{stem}.xml")
        (export_dir / f"{exported}.bin").replace(ctx.out_dir / f"{stem}.bin")
        models[role] = f"{stem}.xml"
    shutil.rmtree(export_dir, ignore_errors=True)
    if not models:
        raise SourceError(f"source.path: optimum-intel exported no OpenVINO model from {path}")
    if generative_kind(task):
        require_stateful(ctx.core, ctx.out_dir, models, task)
    return models


def _generative_extras(ctx: Any, path: Path, kind: str) -> dict[str, Any]:
    """Tokenizer + detokenizer IRs, generation token ids, HF metadata under ``assets/hf``."""
    from ovbuild.sources._tokenizer_pair import emit_tokenizer_pair

    pair = emit_tokenizer_pair(ctx, path)
    info = generation_info(path, kind, pair["special_ids"])
    info.update(tokenizer=pair["tokenizer"], detokenizer=pair["detokenizer"])
    info["hf_metadata"] = ship_hf_metadata(path, ctx.out_dir, info)
    return info


def _export(path: Path, out: Path, task: str) -> None:
    from optimum.exporters.openvino import main_export
    from optimum.intel import OVConfig

    try:
        # library_name pins plain transformers: ovbuild bakes sentence pooling itself, the same way
        # for every layout, instead of letting the exporter switch libraries by directory contents.
        # An explicit fp32 OVConfig stops the exporter from compressing >1B-parameter models to
        # INT8 on its own: the recipe's precision map decides compression.
        main_export(
            str(path),
            out,
            task=task,
            library_name="transformers",
            local_files_only=True,
            stateful=True,
            ov_config=OVConfig(dtype="fp32"),
        )
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(
            f"source.path: optimum-intel cannot export {path} for task {task!r}: {first}"
        ) from exc


def _bake_pooling(ctx: Any, pooling: str, normalize: bool) -> None:
    """Append pooling (and L2 normalization) to ``model.xml``; output ``sentence_embedding``."""
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    model = ctx.core.read_model(str(ctx.out_dir / "model.xml"))
    # The producer of the Result, not the Result's own output: a graph built on the latter
    # keeps the old Result inside and does not serialize.
    results = model.get_results()
    hidden_result = next((r for r in results if "last_hidden_state" in r.output(0).get_names()), results[0])
    hidden = hidden_result.input_value(0)
    mask_param = next(
        (p for p in model.get_parameters() if "attention_mask" in p.output(0).get_names()), None
    )
    if pooling == "cls":
        pooled = ops.gather(hidden, ops.constant(0, ov.Type.i64), ops.constant(1, ov.Type.i64))
    elif mask_param is None:
        pooled = ops.reduce_mean(hidden, ops.constant([1], ov.Type.i64), keep_dims=False)
    else:
        mask = ops.unsqueeze(ops.convert(mask_param, ov.Type.f32), ops.constant([-1], ov.Type.i64))
        if pooling == "max":
            # Padded positions get a large negative value so they never win the max.
            masked = ops.add(ops.multiply(hidden, mask), ops.multiply(ops.add(mask, -1.0), np.float32(1e9)))
            pooled = ops.reduce_max(masked, ops.constant([1], ov.Type.i64), keep_dims=False)
        else:
            summed = ops.reduce_sum(
                ops.multiply(hidden, mask), ops.constant([1], ov.Type.i64), keep_dims=False
            )
            counts = ops.reduce_sum(mask, ops.constant([1], ov.Type.i64), keep_dims=False)
            # sentence-transformers clamps the token count at 1e-9 before dividing.
            pooled = ops.divide(summed, ops.maximum(counts, np.float32(1e-9)))
    if normalize:
        norm = ops.sqrt(
            ops.reduce_sum(ops.multiply(pooled, pooled), ops.constant([-1], ov.Type.i64), keep_dims=True)
        )
        # torch.nn.functional.normalize divides by max(norm, 1e-12).
        pooled = ops.divide(pooled, ops.maximum(norm, np.float32(1e-12)))
    pooled.output(0).set_names({"sentence_embedding"})
    result = ops.result(pooled)
    pooled_model = ov.Model([result], model.get_parameters(), "sentence_embedding")
    del model
    (ctx.out_dir / "model.xml").unlink()
    (ctx.out_dir / "model.bin").unlink()
    ctx.save_model(pooled_model)


@dataclass(frozen=True)
class HfSourceConfig(FrozenConfig):
    """``source:`` for a local HuggingFace model directory, exported with optimum-intel."""

    kind: str = "hf"
    path: str | None = None
    task: str | None = None  # detected from config.json when null
    pooling: str | None = None  # mean | cls | max | none, baked into the graph; null = modules.json
    normalize: bool | None = None  # L2-normalize the pooled embedding; null = from modules.json


class HfSource(ModuleSource):
    kind = "hf"
    schema = HfSourceConfig
    torch_baseline = True

    def huggingface_dir(self, cfg: Any) -> str | None:
        return cfg.get("path")

    def torch_module(self, cfg: Any) -> Any:
        from transformers import AutoModel

        return AutoModel.from_pretrained(str(cfg["path"])).float().eval()
