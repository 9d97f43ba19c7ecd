"""A CTranslate2 ``WhisperSpec`` as a HuggingFace ``WhisperForConditionalGeneration`` directory.

Dimensions come from the weight shapes, special tokens from ``tokenizer.json`` and suppression
lists from CTranslate2's ``config.json``. The fused projections are split the way CTranslate2's
own converter fused them: self-attention ``linear_0`` is Q|K|V, cross-attention ``linear_1`` is
K|V; Whisper's key projections have no bias (CTranslate2 stores zeros there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import SourceError
from ovbuild.sources._ct2_reader import Ct2Model

_FFN = {"layer_norm": "final_layer_norm", "linear_0": "fc1", "linear_1": "fc2"}


def _linear(ct2: Ct2Model, src: str, dst: str, out: dict[str, np.ndarray]) -> None:
    out[f"{dst}.weight"] = ct2.get(f"{src}/weight")
    out[f"{dst}.bias"] = ct2.get(f"{src}/bias")


def _norm(ct2: Ct2Model, src: str, dst: str, out: dict[str, np.ndarray]) -> None:
    out[f"{dst}.weight"] = ct2.get(f"{src}/gamma")
    out[f"{dst}.bias"] = ct2.get(f"{src}/beta")


def _split(ct2: Ct2Model, src: str, dst: str, names: tuple[str, ...], out: dict[str, np.ndarray]) -> None:
    weights = np.split(ct2.get(f"{src}/weight"), len(names), axis=0)
    biases = np.split(ct2.get(f"{src}/bias"), len(names), axis=0)
    for name, weight, bias in zip(names, weights, biases, strict=True):
        out[f"{dst}.{name}.weight"] = weight
        if name != "k_proj":  # HF Whisper keys carry no bias
            out[f"{dst}.{name}.bias"] = bias


def _layer(ct2: Ct2Model, src: str, dst: str, cross: bool, out: dict[str, np.ndarray]) -> None:
    _norm(ct2, f"{src}/self_attention/layer_norm", f"{dst}.self_attn_layer_norm", out)
    _split(ct2, f"{src}/self_attention/linear_0", f"{dst}.self_attn", ("q_proj", "k_proj", "v_proj"), out)
    _linear(ct2, f"{src}/self_attention/linear_1", f"{dst}.self_attn.out_proj", out)
    if cross:
        _norm(ct2, f"{src}/attention/layer_norm", f"{dst}.encoder_attn_layer_norm", out)
        _linear(ct2, f"{src}/attention/linear_0", f"{dst}.encoder_attn.q_proj", out)
        _split(ct2, f"{src}/attention/linear_1", f"{dst}.encoder_attn", ("k_proj", "v_proj"), out)
        _linear(ct2, f"{src}/attention/linear_2", f"{dst}.encoder_attn.out_proj", out)
    _norm(ct2, f"{src}/ffn/layer_norm", f"{dst}.{_FFN['layer_norm']}", out)
    _linear(ct2, f"{src}/ffn/linear_0", f"{dst}.{_FFN['linear_0']}", out)
    _linear(ct2, f"{src}/ffn/linear_1", f"{dst}.{_FFN['linear_1']}", out)


def _layer_count(ct2: Ct2Model, prefix: str) -> int:
    count = 0
    while f"{prefix}/layer_{count}/ffn/linear_0/weight" in ct2.variables:
        count += 1
    if count == 0:
        raise SourceError(f"model.bin: no {prefix} layers; is this a Whisper model?")
    return count


def state_dict(ct2: Ct2Model) -> dict[str, np.ndarray]:
    """HF ``WhisperForConditionalGeneration`` parameter names → arrays (aliases resolved)."""
    if ct2.spec != "WhisperSpec":
        raise SourceError(f"source.path: model.bin holds a {ct2.spec}; the ctranslate2 source reads Whisper")
    out: dict[str, np.ndarray] = {}
    for side in ("encoder", "decoder"):
        for i in range(_layer_count(ct2, side)):
            _layer(ct2, f"{side}/layer_{i}", f"model.{side}.layers.{i}", side == "decoder", out)
        _norm(ct2, f"{side}/layer_norm", f"model.{side}.layer_norm", out)
        out[f"model.{side}.embed_positions.weight"] = ct2.get(f"{side}/position_encodings/encodings")
    for conv in ("conv1", "conv2"):
        _linear(ct2, f"encoder/{conv}", f"model.encoder.{conv}", out)
    out["model.decoder.embed_tokens.weight"] = ct2.get("decoder/embeddings/weight")
    out["proj_out.weight"] = ct2.get("decoder/projection/weight")
    return out


def special_tokens(tokenizer_json: Path) -> dict[str, int]:
    """Whisper's special token ids by name (``<|endoftext|>`` → 50256 …) from ``tokenizer.json``."""
    data = json.loads(tokenizer_json.read_text())
    return {t["content"]: int(t["id"]) for t in data.get("added_tokens", [])}


def whisper_config(ct2: Ct2Model, tokens: dict[str, int]) -> dict[str, Any]:
    """``WhisperConfig`` keyword arguments read off the weight shapes and the vocabulary."""
    vocab, d_model = ct2.get("decoder/embeddings/weight").shape
    try:
        eot, sot = tokens["<|endoftext|>"], tokens["<|startoftranscript|>"]
    except KeyError as exc:
        raise SourceError(f"tokenizer.json: no {exc.args[0]} token; not a Whisper tokenizer") from None
    return {
        "vocab_size": int(vocab),
        "d_model": int(d_model),
        "num_mel_bins": int(ct2.get("encoder/conv1/weight").shape[1]),
        "encoder_layers": _layer_count(ct2, "encoder"),
        "decoder_layers": _layer_count(ct2, "decoder"),
        "encoder_attention_heads": ct2.scalar("encoder/num_heads"),
        "decoder_attention_heads": ct2.scalar("decoder/num_heads"),
        "encoder_ffn_dim": int(ct2.get("encoder/layer_0/ffn/linear_0/weight").shape[0]),
        "decoder_ffn_dim": int(ct2.get("decoder/layer_0/ffn/linear_0/weight").shape[0]),
        "max_source_positions": int(ct2.get("encoder/position_encodings/encodings").shape[0]),
        "max_target_positions": int(ct2.get("decoder/position_encodings/encodings").shape[0]),
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "decoder_start_token_id": sot,
        "tie_word_embeddings": "decoder/projection/weight" in ct2.aliases,
    }


def generation_config(config: dict[str, Any], ct2_config: dict[str, Any], tokens: dict[str, int]) -> dict:
    """HF/openvino-genai ``generation_config.json``: suppression lists and task/language tokens."""
    langs = {t: i for t, i in tokens.items() if len(t) <= 9 and t.startswith("<|") and t[2:-2].isalpha()}
    langs = {t: i for t, i in langs.items() if t[2:-2].islower() and len(t[2:-2]) <= 3}
    multilingual = config["vocab_size"] >= 51865
    no_ts = tokens.get("<|notimestamps|>")
    # faster-whisper suppresses the task and start tokens on top of the model's own list.
    specials = ("<|startoftranscript|>", "<|transcribe|>", "<|translate|>", "<|startofprev|>")
    specials += ("<|startoflm|>", "<|nospeech|>", "<|nocaptions|>")
    suppress = set(ct2_config.get("suppress_ids", [])) | {tokens[s] for s in specials if s in tokens}
    return {
        "decoder_start_token_id": config["decoder_start_token_id"],
        "bos_token_id": config["bos_token_id"],
        "eos_token_id": config["eos_token_id"],
        "pad_token_id": config["pad_token_id"],
        "no_timestamps_token_id": no_ts,
        "prev_sot_token_id": tokens.get("<|startofprev|>"),
        "suppress_tokens": sorted(suppress),
        "begin_suppress_tokens": list(ct2_config.get("suppress_ids_begin", [])),
        "alignment_heads": [list(h) for h in ct2_config.get("alignment_heads", [])],
        "max_initial_timestamp_index": 50,
        "max_length": config["max_target_positions"],
        "is_multilingual": multilingual,
        "lang_to_id": langs if multilingual else {},
        "task_to_id": {"transcribe": tokens.get("<|transcribe|>"), "translate": tokens.get("<|translate|>")},
        "return_timestamps": False,
    }


PREPROCESSOR = {
    "feature_extractor_type": "WhisperFeatureExtractor",
    "processor_class": "WhisperProcessor",
    "chunk_length": 30,
    "hop_length": 160,
    "n_fft": 400,
    "n_samples": 480000,
    "nb_max_frames": 3000,
    "padding_side": "right",
    "padding_value": 0.0,
    "return_attention_mask": False,
    "sampling_rate": 16000,
}
