"""Task and model-type detection for HuggingFace model directories, from ``config.json`` alone.

Detection reads JSON only (no weights, no torch), so ``ovbuild validate`` and cache-key planning
stay cheap. The task names are optimum's exporter tasks.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError

# Suffix of a HuggingFace architecture class name -> optimum exporter task. Checked in order, so
# longer, more specific suffixes come first.
_ARCH_SUFFIX_TASKS: tuple[tuple[str, str], ...] = (
    ("ForSpeechSeq2Seq", "automatic-speech-recognition"),
    ("ForCTC", "automatic-speech-recognition"),
    ("ForSeq2SeqLM", "text2text-generation"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForMaskedLM", "fill-mask"),
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForImageClassification", "image-classification"),
    ("ForAudioClassification", "audio-classification"),
    ("ForMultipleChoice", "multiple-choice"),
)

# ``*ForConditionalGeneration`` means different things per family.
_SPEECH_TYPES = {"whisper", "speech_to_text", "moonshine"}
_SEQ2SEQ_TYPES = {"t5", "mt5", "bart", "mbart", "marian", "pegasus", "longt5", "m2m_100", "blenderbot"}

# A base class without a head (``BertModel``) or no ``architectures`` at all: the family decides.
_DEFAULT_TASKS = {
    "whisper": "automatic-speech-recognition",
    "t5": "text2text-generation",
    "mt5": "text2text-generation",
    "bart": "text2text-generation",
    "vit": "feature-extraction",
}

#: Tasks whose export yields an encoder and one or more decoders.
ENCODER_DECODER_TASKS = {"text2text-generation", "automatic-speech-recognition"}


@dataclass(frozen=True)
class Detected:
    """What a model directory holds, as far as the exporter needs to know."""

    task: str
    model_type: str
    architectures: tuple[str, ...]
    pooling: str | None  # "mean" | "cls" | "max" for sentence-transformers layouts
    normalize: bool
    task_source: str  # "recipe" | "architectures" | "model_type" | "sentence-transformers"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["architectures"] = list(self.architectures)
        return out


def read_config(model_dir: Path) -> dict[str, Any]:
    """The parsed ``config.json`` of a model directory.

    Raises:
        SourceError: the file is missing or not a JSON object.
    """
    path = model_dir / "config.json"
    if not path.is_file():
        raise SourceError(f"source.path: {model_dir} is not a HuggingFace model directory (no config.json)")
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SourceError(f"source.path: cannot parse {path}: {exc}") from exc
    if not isinstance(config, dict):
        raise SourceError(f"source.path: {path} is not a JSON object")
    return config


def known_model_type(model_type: str) -> bool:
    """Whether the installed ``transformers`` knows this ``model_type`` (no torch import)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    return model_type in CONFIG_MAPPING_NAMES


def _task_from_architecture(arch: str, model_type: str) -> str | None:
    if arch.endswith("ForConditionalGeneration"):
        if model_type in _SPEECH_TYPES:
            return "automatic-speech-recognition"
        if model_type in _SEQ2SEQ_TYPES:
            return "text2text-generation"
        return None
    for suffix, task in _ARCH_SUFFIX_TASKS:
        if arch.endswith(suffix):
            return task
    if arch.endswith("Model"):
        return _DEFAULT_TASKS.get(model_type, "feature-extraction")
    return None


def sentence_pooling(model_dir: Path) -> tuple[str | None, bool]:
    """Pooling mode and normalization declared by a sentence-transformers ``modules.json``."""
    modules_path = model_dir / "modules.json"
    if not modules_path.is_file():
        return None, False
    try:
        modules = json.loads(modules_path.read_text())
    except ValueError as exc:
        raise SourceError(f"source.path: cannot parse {modules_path}: {exc}") from exc
    pooling, normalize = None, False
    for module in modules:
        kind = str(module.get("type", ""))
        if kind.endswith(".Pooling"):
            pooling = "mean"
            config_path = model_dir / module.get("path", "") / "config.json"
            if config_path.is_file():
                pcfg = json.loads(config_path.read_text())
                if pcfg.get("pooling_mode_cls_token"):
                    pooling = "cls"
                elif pcfg.get("pooling_mode_max_tokens"):
                    pooling = "max"
        elif kind.endswith(".Normalize"):
            normalize = True
    return pooling, normalize


def detect(model_dir: Path, task: str | None = None) -> Detected:
    """Detect the export task, model type and sentence-embedding post-processing of a model dir.

    Args:
        model_dir: a local HuggingFace model directory.
        task: ``source.task`` from the recipe; overrides detection when set.

    Returns:
        The detected description.

    Raises:
        SourceError: no ``config.json``, an unknown ``model_type``, or no task can be inferred.

    >>> detect(Path("all-MiniLM-L6-v2")).task  # doctest: +SKIP
    'feature-extraction'
    """
    config = read_config(model_dir)
    model_type = config.get("model_type")
    if not model_type:
        raise SourceError(f"source.path: {model_dir}/config.json has no model_type")
    if not known_model_type(model_type):
        raise SourceError(
            f"source.path: {model_dir}/config.json: unknown model_type {model_type!r} "
            "(not supported by the installed transformers)"
        )
    architectures = tuple(config.get("architectures") or ())
    pooling, normalize = sentence_pooling(model_dir)
    if task:
        return Detected(task, model_type, architectures, pooling, normalize, "recipe")
    if pooling is not None:
        return Detected(
            "feature-extraction", model_type, architectures, pooling, normalize, "sentence-transformers"
        )
    for arch in architectures:
        found = _task_from_architecture(arch, model_type)
        if found:
            return Detected(found, model_type, architectures, None, False, "architectures")
    if not architectures and model_type in _DEFAULT_TASKS:
        return Detected(_DEFAULT_TASKS[model_type], model_type, (), None, False, "model_type")
    if not architectures:
        return Detected("feature-extraction", model_type, (), None, False, "model_type")
    raise SourceError(
        f"source.task: cannot infer the task of {model_dir} (architectures {list(architectures)}); "
        "set source.task, e.g. source.task=feature-extraction"
    )
