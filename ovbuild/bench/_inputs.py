"""Benchmark inputs: synthetic tensors of recorded shapes, token ids, tokenized text."""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Any

from ovbuild.errors import ArtifactError


def _concrete(shape: Any, fallback: list[int] | None = None) -> list[int]:
    dims = []
    for i, d in enumerate(shape or []):
        if isinstance(d, int) and d > 0:
            dims.append(d)
        elif fallback is not None and i < len(fallback):
            dims.append(fallback[i])
        else:
            dims.append(1)
    return dims


def make_inputs(specs: list[dict], *, vocab_size: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Benchmark inputs from ``[{name, shape, type}]``: token ids within the vocabulary for integer
    inputs (ones for ``*mask*``, zeros for ``*type_ids``), standard normal for floats."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = {}
    for spec in specs:
        name, shape = spec["name"], _concrete(spec.get("shape"))
        kind = str(spec.get("type", "f32")).lower()
        if kind in ("string", "str"):
            arr = np.full(shape, "a short sentence to embed for benchmarking")
        elif "int" in kind or kind in ("i64", "i32"):
            dtype = np.int32 if "32" in kind else np.int64
            if "mask" in name:
                arr = np.ones(shape, dtype)
            elif "type_ids" in name or "position" in name:
                arr = np.zeros(shape, dtype)
            else:
                arr = rng.integers(0, vocab_size, size=shape).astype(dtype)
        else:
            dtype = np.float16 if "16" in kind else np.float32
            arr = rng.standard_normal(shape).astype(dtype)
        out[name] = arr
    return out


def _specs_of(model: Any, like: dict[str, list[int]]) -> list[dict]:
    """Input specs for an ``ov.Model``: dynamic dims filled from same-named (or first) known shapes."""
    first = next(iter(like.values()), None)
    specs = []
    for port in model.inputs:
        name = port.get_any_name()
        pshape = port.get_partial_shape()
        dims = [d.get_length() if d.is_static else -1 for d in pshape]
        ref = like.get(name) or (first if first is not None and len(first) == len(dims) else None)
        specs.append(
            {"name": name, "shape": _concrete(dims, ref), "type": port.get_element_type().get_type_name()}
        )
    return specs


def _vocab_size(recipe: dict) -> int:
    src = (recipe or {}).get("source") or {}
    cfg = Path(str(src.get("path") or "")) / "config.json"
    try:
        return int(_json.loads(cfg.read_text()).get("vocab_size", 1000))
    except (OSError, ValueError, TypeError):
        return 1000


def _token_inputs(recipe: dict, frontend: dict, inputs: dict) -> dict[str, Any] | None:
    """Token ids for the baselines that cannot take strings, tokenized as the artifact's front-end does."""
    texts = [v for v in inputs.values() if getattr(v, "dtype", None) is not None and v.dtype.kind in "UO"]
    if not texts:
        return None
    from transformers import AutoTokenizer

    src = recipe.get("source") or {}
    tokenizer = AutoTokenizer.from_pretrained(str(frontend.get("tokenizer") or src.get("path")))
    padding = frontend.get("padding") or "longest"
    enc = tokenizer(
        [str(t) for t in texts[0].reshape(-1)],
        padding=padding,
        max_length=int(frontend.get("max_length") or 128),
        truncation=True,
        return_tensors="np",
    )
    return {k: v.astype("int64") for k, v in enc.items()}


def register_tokenizer_ops(manifest: Any, root: Path) -> None:
    """Load openvino-tokenizers' ops for an in-graph tokenizer (a host-side one does not need them).

    Raises:
        ArtifactError: the artifact's graph holds a tokenizer and the package is missing.
    """
    if manifest.frontend_kind != "text":
        return
    try:
        import openvino_tokenizers  # noqa: F401  (importing it registers the ops)
    except ImportError as exc:
        if manifest.embedded_frontend:
            raise ArtifactError(
                f"{root}: its graph holds a tokenizer, which needs openvino-tokenizers "
                f"(pip install -r {root / 'requirements.txt'}): {exc}"
            ) from exc


def stated_inputs(manifest: Any, model: Any) -> dict[str, Any]:
    """The inputs every benchmark of an artifact uses: the manifest's stated example, or inputs
    made from the graph's shapes for an artifact that states none."""
    from ovbuild.runtime.smoke import example_inputs

    if manifest.inputs:
        return example_inputs(manifest.inputs)
    return make_inputs(_specs_of(model, {}), vocab_size=_vocab_size(manifest.recipe))
