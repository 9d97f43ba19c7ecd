"""Text for the generated loader: host-side tokenization and length-sorted batches.

One tokenizer implementation (``tokenizers``, from the artifact's ``tokenizer.json``) serves the
loader of an artifact built with ``frontend.embed=false`` and the calibration of such a build, so
calibration sees exactly what inference sees. :func:`sorted_batches` groups many sentences into
batches of similar length, as sentence-transformers' ``encode`` does: with padding to the longest
sentence in the batch, a batch of similar lengths carries few pad tokens.

Runtime module (shipped inside every artifact): imports only the standard library and numpy (``tokenizers``
lazily).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

PADDINGS = ("longest", "max_length")
TOKEN_COLUMNS = ("input_ids", "attention_mask", "token_type_ids")


def host_tokenizer(tokenizer_json: str | Path, max_length: int, padding: str) -> Any:
    """A ``tokenizers.Tokenizer`` that truncates to ``max_length`` and pads as the recipe says.

    Raises:
        ValueError: ``padding`` is not one of :data:`PADDINGS`.
    """
    if padding not in PADDINGS:
        raise ValueError(f"frontend.padding: {padding!r} is not one of {', '.join(PADDINGS)}")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    tokenizer.enable_truncation(int(max_length))
    if padding == "max_length":
        tokenizer.enable_padding(length=int(max_length))
    else:
        tokenizer.enable_padding()  # to the longest sentence of each call
    return tokenizer


def host_encode(tokenizer: Any, texts: Sequence[str], names: Sequence[str]) -> dict[str, np.ndarray]:
    """``{input name: int64 [len(texts), tokens]}`` for the token columns among ``names``."""
    encoded = tokenizer.encode_batch(list(texts))
    columns = {
        "input_ids": [e.ids for e in encoded],
        "attention_mask": [e.attention_mask for e in encoded],
        "token_type_ids": [e.type_ids for e in encoded],
    }
    return {name: np.array(columns[name], dtype=np.int64) for name in names if name in columns}


def sorted_batches(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indices of ``texts`` in batches of at most ``batch_size``, longest sentences first.

    Character length stands in for token length (the tokenizer may be inside the graph); the
    sort is stable, so equal lengths keep their order.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[k : k + batch_size] for k in range(0, len(order), batch_size)]


def run_sorted(
    texts: Sequence[str], batch_size: int, infer: Callable[[list[str]], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Run ``infer`` on length-sorted batches; every output's rows come back in input order."""
    if isinstance(texts, str):
        texts = [texts]
    if not texts:
        raise ValueError("no texts to run")
    parts: list[tuple[list[int], dict[str, np.ndarray]]] = []
    for batch in sorted_batches(texts, batch_size):
        parts.append((batch, infer([texts[i] for i in batch])))
    order = np.concatenate([np.asarray(batch) for batch, _ in parts])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return {name: _stack_padded([out[name] for _, out in parts])[inverse] for name in parts[0][1]}


def _stack_padded(arrays: list[np.ndarray]) -> np.ndarray:
    """Concatenate along rows; per-token outputs of shorter batches are zero-padded to the longest."""
    if arrays[0].ndim < 2:
        return np.concatenate(arrays)
    widest = np.max([a.shape[1:] for a in arrays], axis=0)
    padded = []
    for a in arrays:
        pads = [(0, int(w - d)) for w, d in zip(widest, a.shape[1:], strict=True)]
        padded.append(np.pad(a, [(0, 0), *pads]))
    return np.concatenate(padded)
