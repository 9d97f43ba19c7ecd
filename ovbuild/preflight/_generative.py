"""Recipe values that cannot work for a generative HF model, found from its ``config.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.sections import source_of
from ovbuild.config.weight_options import data_aware

_GENERATIVE = {
    "text-generation": "causal",
    "text2text-generation": "seq2seq",
    "automatic-speech-recognition": "speech",
}
_NOT_FOR_GENERATIVE = ("int8", "auto")


def _kind(recipe: dict[str, Any]) -> str | None:
    source = recipe.get("source") or {}
    kind = source_of(source)
    path = kind.huggingface_dir(source) if kind is not None else None
    if not path or not (Path(path) / "config.json").is_file():
        return None
    from ovbuild.errors import SourceError
    from ovbuild.sources.hf import detected

    try:
        task = detected(dict(source)).task
    except SourceError:
        return None  # the source stage reports it, naming the key
    return _GENERATIVE.get(task.removesuffix("-with-past"))


def generative_problems(recipe: dict[str, Any]) -> list[str]:
    """Problems of a recipe whose hf source is a generation model (empty for anything else)."""
    kind = _kind(recipe)
    if kind is None:
        return []
    problems = []
    precision = recipe.get("precision") or {}
    used = [precision.get("default"), *(r.get("precision") for r in precision.get("rules") or [])]
    bad = next((p for p in used if p in _NOT_FOR_GENERATIVE), None)
    if bad:
        problems.append(
            f"precision.default: {bad!r} is not available for generative models (a KV-cache decoder); "
            "use weight-only int8_weights or int4_weights"
        )
    wanted = data_aware(precision)
    if wanted and kind != "causal":
        problems.append(
            f"precision.{wanted[0]}: data-aware weight compression is implemented for decoder-only "
            "models (text-generation)"
        )
    if kind == "speech":
        return problems
    if recipe.get("inputs"):
        problems.append(
            "inputs: a generative model takes prompts of any length (its KV cache grows as it "
            "generates); drop inputs"
        )
    if (recipe.get("frontend") or {}).get("kind") == "text":
        problems.append(
            "frontend: a generative model carries its own tokenizer and detokenizer IRs; drop the "
            "text front-end (frontend=null)"
        )
    metric = (recipe.get("validate") or {}).get("metric")
    if metric and metric != "token_agreement":
        problems.append(f"validate.metric: {metric!r} does not apply to text generation; use validate=tokens")
    return problems
