"""Length-sorted batches in the generated loader: ``model.encode(sentences, batch_size)`` returns rows
in input order, equal to running each sentence alone, and shorter batches carry fewer tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from ovbuild.runtime.text import run_sorted, sorted_batches
from tests.conftest import recipe_for

LINES = [line for line in (Path(__file__).parents[2] / "data/sentences.txt").read_text().splitlines() if line]


def test_sorted_batches_cover_every_index_once_longest_first() -> None:
    texts = ["aa", "a", "aaaa", "aaa", "", "aaaaa", "aaa"]
    batches = sorted_batches(texts, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(texts)))
    assert [len(texts[i]) for i in flat] == sorted((len(t) for t in texts), reverse=True)
    with pytest.raises(ValueError, match="batch_size"):
        sorted_batches(texts, 0)


def test_run_sorted_restores_order_and_pads_per_token_outputs() -> None:
    seen: list[list[str]] = []

    def infer(batch: list[str]) -> dict[str, np.ndarray]:
        seen.append(batch)
        width = max(len(t) for t in batch)
        codes = np.array([[ord(c) for c in t.ljust(width, "\0")] for t in batch])
        return {"length": np.array([len(t) for t in batch]), "codes": codes}

    texts = LINES[:50]
    out = run_sorted(texts, 8, infer)
    assert out["length"].tolist() == [len(t) for t in texts]
    assert out["codes"].shape == (50, max(len(t) for t in texts))
    for row, text in zip(out["codes"], texts, strict=True):
        assert "".join(chr(c) for c in row if c) == text
    assert all(max(map(len, b)) - min(map(len, b)) < 40 for b in seen)  # similar lengths together


@pytest.mark.slow
def test_encode_equals_one_sentence_at_a_time(shared_store: Path) -> None:
    result = build(recipe_for("recipe=minilm", "device.inference_precision=f32", root=shared_store))
    model = import_loader(result.path).load()
    texts = LINES[:70]
    batched = model.encode(texts, batch_size=16)["sentence_embedding"]
    alone = np.concatenate([model([t])["sentence_embedding"] for t in texts])
    assert batched.shape == (70, 384)
    assert float(np.min(np.sum(batched * alone, axis=1))) >= 0.99999
