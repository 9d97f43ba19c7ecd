"""Strings through a separately compiled tokenizer and the model cut behind it give what the
artifact's merged graph gives: one sentence (static shapes), small batches (one request) and large
ones (spread over streams, rows sorted and trimmed), from many threads; other artifacts keep the
merged graph."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np

from ovbuild.runtime import import_loader
from ovbuild.runtime.manifest import Manifest
from ovbuild.runtime.split_text import SPREAD_ROWS, STATIC_SHAPES, SplitText

LINES = [line for line in (Path(__file__).parents[2] / "data/sentences.txt").read_text().splitlines() if line]
HOSTILE = ["", "   ", "ünïcödé — ✓ 漢字 🙂", "word " * 400, "Ok."]


def _merged(model, texts: list[str]) -> np.ndarray:
    """The artifact's own graph (tokenizer inside), run directly."""
    request = model.compiled.create_infer_request()
    return request.infer({0: np.array(texts)})[0].copy()


def _close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    assert float(np.min(np.sum(got * want, axis=1))) > 0.99999
    np.testing.assert_allclose(got, want, atol=2e-4)


def test_split_runs_equal_the_merged_graph_at_every_batch_size(minilm_artifact: Path) -> None:
    with import_loader(minilm_artifact).load() as model:
        assert model._split is not None
        for text in [*LINES[:12], *HOSTILE]:  # many token counts, empty, non-ASCII, truncated
            _close(model([text])["sentence_embedding"], _merged(model, [text]))
        small = LINES[20 : 20 + SPREAD_ROWS - 1]
        _close(model(small)["sentence_embedding"], _merged(model, small))
        mixed = [*LINES[40:80], *HOSTILE]  # unsorted lengths: rows come back in input order
        _close(model(mixed)["sentence_embedding"], _merged(model, mixed))
        assert len(model._split._static) == STATIC_SHAPES  # the other lengths ran the dynamic model


def test_static_shapes_stop_at_the_cap_and_other_lengths_still_answer(minilm_artifact: Path) -> None:
    with import_loader(minilm_artifact).load() as model:
        model._split.static_shapes = 1
        texts = ["Ok.", LINES[0], "word " * 60]  # three length buckets
        for text in texts:
            _close(model([text])["sentence_embedding"], _merged(model, [text]))
        assert list(model._split._static) == [8]


def test_first_sentences_of_new_lengths_from_8_threads_at_once(minilm_artifact: Path) -> None:
    """Static shapes are compiled on first use; threads racing for new lengths each get their own
    sentence's vector."""
    with import_loader(minilm_artifact).load() as model:
        texts = sorted(set(LINES), key=len)[::6][:32]
        want = {t: _merged(model, [t]) for t in texts}
        wrong: list[str] = []

        def worker(k: int) -> None:
            for text in texts[k::8] + texts[: 4 * k : 4]:
                if not np.allclose(model([text])["sentence_embedding"], want[text], atol=2e-4):
                    wrong.append(text)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert wrong == []


def test_other_artifacts_keep_the_merged_graph(minilm_artifact: Path) -> None:
    with import_loader(minilm_artifact).load() as model:
        manifest = Manifest.read(minilm_artifact)
        padded = dataclasses.replace(manifest, frontend={**manifest.frontend, "padding": "max_length"})
        assert SplitText.for_artifact(minilm_artifact, padded, model.plan) is None
        elsewhere = dataclasses.replace(model.plan, device="GPU")
        assert SplitText.for_artifact(minilm_artifact, manifest, elsewhere) is None
        split, model._split = model._split, None  # the merged path still answers
        split.close()
        _close(model(LINES[:3])["sentence_embedding"], _merged(model, LINES[:3]))
