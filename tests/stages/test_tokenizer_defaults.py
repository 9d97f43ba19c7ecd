"""A tokenizer saved without ``token_type_ids`` (transformers 5 does that for BERT) still builds:
the model input it does not produce is fed zeros, as the model's own forward does, the build
summary says so, and the artifact answers as the same model with the full tokenizer does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ovbuild.cli.build import summarize
from tests.stages._tiny_bert import make_tiny_bert, tiny_overrides

SENTENCES = ["A man is playing a guitar.", "Short.", "The stock market fell sharply today, analysts said."]


@pytest.mark.slow
def test_token_type_ids_are_fed_zeros_when_the_tokenizer_omits_them(tmp_path: Path) -> None:
    from ovbuild import build, load_recipe
    from ovbuild.runtime import import_loader

    full = make_tiny_bert(tmp_path)
    bare = tmp_path / "tiny_bert_no_type_ids"
    shutil.copytree(full, bare)
    config = json.loads((bare / "tokenizer_config.json").read_text())
    config["model_input_names"] = ["input_ids", "attention_mask"]
    (bare / "tokenizer_config.json").write_text(json.dumps(config))

    store = tmp_path / "store"
    outputs = {}
    for label, model_dir in (("full", full), ("bare", bare)):
        overrides = [o for o in tiny_overrides(model_dir) if not o.startswith("name=")]
        recipe = load_recipe([*overrides, f"name={label}", f"store.root={store}"])
        result = build(recipe)
        if label == "bare":
            assert result.manifest.stages["frontend"]["defaulted"] == {"token_type_ids": "zeros"}
            assert "the tokenizer gives no token_type_ids; the model is fed zeros" in summarize(result)
        with import_loader(result.path).load() as model:
            outputs[label] = next(iter(model(SENTENCES).values()))
    np.testing.assert_allclose(outputs["bare"], outputs["full"], atol=1e-5)
