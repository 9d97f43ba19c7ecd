"""Recipe values a generative HF model cannot take are refused before any stage runs, each
naming its key, and nothing is published."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.errors import RecipeError
from tests.conftest import recipe_for

CASES = [
    (
        ["precision=int8", "calibration=sentences"],
        "precision.default: 'int8' is not available for generative",
    ),
    (["inputs.input_ids=[1,16]"], "inputs: a generative model takes prompts of any length"),
    (["frontend=text"], "frontend: a generative model carries its own tokenizer"),
    (
        ["calibration=sentences", "validate=cosine"],
        "validate.metric: 'cosine' does not apply to text generation",
    ),
]


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config.json and a (never read) weights file: preflight reads the config only."""
    from transformers import GPT2Config

    path = tmp_path_factory.mktemp("gpt2_config")
    GPT2Config(n_layer=1, n_embd=32, n_head=2, architectures=["GPT2LMHeadModel"]).to_json_file(
        path / "config.json"
    )
    (path / "model.safetensors").write_bytes(b"")
    return path


@pytest.mark.parametrize(("overrides", "message"), CASES)
def test_bad_generative_recipe_fails_before_any_stage(
    gpt2_dir: Path, store: Path, overrides, message
) -> None:
    recipe = recipe_for("name=gen", "source=hf", f"source.path={gpt2_dir}", *overrides, root=store)
    with pytest.raises(RecipeError, match=message):
        build(recipe)
    assert not (store / "cache").exists() or not any((store / "cache").rglob("entry.json"))


def test_data_aware_options_need_a_decoder_only_model(tmp_path: Path, store: Path) -> None:
    from transformers import T5Config

    T5Config(
        d_model=32, num_layers=1, num_heads=2, architectures=["T5ForConditionalGeneration"]
    ).to_json_file(tmp_path / "config.json")
    (tmp_path / "model.safetensors").write_bytes(b"")
    overrides = ["precision=int4_weights", "precision.awq=true", "calibration=sentences"]
    recipe = recipe_for("name=gen", "source=hf", f"source.path={tmp_path}", *overrides, root=store)
    with pytest.raises(
        RecipeError, match="precision.awq: data-aware weight compression is implemented for decoder-only"
    ):
        build(recipe)
