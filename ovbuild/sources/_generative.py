"""What a generative HuggingFace export needs beyond the graph: the KV cache as state, the
token ids generation stops and starts on, and the HF metadata openvino-genai reads.

A generation task is always exported "with past" and stateful (the KV cache lives in OpenVINO
state, as ``OVModelForCausalLM`` and openvino-genai expect); an export that comes out without
state is an error, never a silently slower artifact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError

#: optimum exporter task -> how the loader drives it.
GENERATIVE_TASKS = {
    "text-generation": "causal",
    "text2text-generation": "seq2seq",
    "automatic-speech-recognition": "speech",
}
_PAST = "-with-past"
#: The HF files openvino-genai reads next to the IR (copied under ``assets/hf/``).
HF_METADATA = (
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
HF_ASSETS = "assets/hf"


def generative_kind(task: str) -> str | None:
    """``causal`` / ``seq2seq`` / ``speech`` for a generation task (with or without past)."""
    return GENERATIVE_TASKS.get(task.removesuffix(_PAST))


def export_task(task: str) -> str:
    """The exporter task: generation tasks always get their KV cache ("-with-past")."""
    if generative_kind(task) and not task.endswith(_PAST):
        return task + _PAST
    return task


def decoder_role(models: dict[str, str]) -> str:
    """The role of the sub-model that carries the KV cache."""
    return "decoder" if "decoder" in models else "model"


def require_stateful(core: Any, out_dir: Path, models: dict[str, str], task: str) -> None:
    """Fail unless the decoder keeps its KV cache as OpenVINO state.

    Raises:
        SourceError: the exporter produced a stateless decoder (or none).
    """
    role = decoder_role(models)
    if role not in models:
        raise SourceError(f"source.task: the {task!r} export has no decoder (got {sorted(models)})")
    model = core.read_model(str(out_dir / models[role]))
    if not model.get_sinks():
        raise SourceError(
            f"source.task: optimum-intel exported {models[role]} for {task!r} without a KV cache "
            "state; ovbuild does not build generative models without one (this architecture may "
            "not support a stateful export in the installed optimum-intel)"
        )


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text())
    except ValueError as exc:
        raise SourceError(f"source.path: cannot parse {path}: {exc}") from exc
    return value if isinstance(value, dict) else {}


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in (value if isinstance(value, list) else [value])]


def generation_info(model_dir: Path, kind: str, special_ids: dict[str, int | None]) -> dict[str, Any]:
    """Token ids and limits the generate loop needs, from generation_config.json / config.json.

    ``generation_config.json`` wins over ``config.json``, which wins over the tokenizer, the same
    precedence ``transformers``' ``generate`` applies.
    """
    config = _json(model_dir / "config.json")
    gen = _json(model_dir / "generation_config.json")

    def pick(key: str, fallback: Any = None) -> Any:
        return gen.get(key, config.get(key, fallback))

    eos = _ids(pick("eos_token_id", special_ids.get("eos")))
    pad = pick("pad_token_id", special_ids.get("pad"))
    start = pick("decoder_start_token_id", pad) if kind != "causal" else None
    limit = config.get("n_positions") or config.get("max_position_embeddings")
    return {
        "kind": kind,
        "eos_token_ids": eos,
        "pad_token_id": None if pad is None else int(pad),
        "bos_token_id": pick("bos_token_id", special_ids.get("bos")),
        "decoder_start_token_id": None if start is None else int(start),
        "max_positions": None if limit is None else int(limit),
    }


def ship_hf_metadata(model_dir: Path, out_dir: Path, info: dict[str, Any]) -> list[str]:
    """Copy the HF json files under ``assets/hf/``; write a generation_config.json if there is none."""
    from ovbuild.store.fs import link_or_copy

    target = out_dir / HF_ASSETS
    target.mkdir(parents=True, exist_ok=True)
    shipped = []
    for name in HF_METADATA:
        if (model_dir / name).is_file():
            link_or_copy(model_dir / name, target / name)
            shipped.append(name)
    if "generation_config.json" not in shipped:
        generated = {
            "eos_token_id": info["eos_token_ids"],
            "pad_token_id": info["pad_token_id"],
            "bos_token_id": info["bos_token_id"],
        }
        if info.get("decoder_start_token_id") is not None:
            generated["decoder_start_token_id"] = info["decoder_start_token_id"]
        (target / "generation_config.json").write_text(json.dumps(generated, indent=2) + "\n")
        shipped.append("generation_config.json")
    return [f"{HF_ASSETS}/{name}" for name in shipped]
