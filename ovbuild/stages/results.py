"""What each built-in stage hands to the later ones: one frozen dataclass per stage.

Readers ask by type (``ctx.result(ConvertResult)``), so a result's layout and the name of the
stage that produces it live here only. The fields are what later stages (and ``emit``) read;
everything else a stage records stays in ``details``. Every field has a default so entries and
manifests written before a field existed still load (:meth:`StageResult.from_json`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ovbuild.stages.base import StageResult, optional


@dataclass(frozen=True)
class SourceResult(StageResult):
    stage = "source"

    kind: str = ""
    files: Sequence[str] = ()


@dataclass(frozen=True)
class ConvertResult(StageResult):
    """The IR files by role (``{"model": "model.xml", "decoder": ...}``) and, for a generative
    model, what openvino-genai needs (``generation``: kind, tokenizer IRs, special ids)."""

    stage = "convert"

    models: Mapping[str, str] = field(default_factory=dict)
    generation: Mapping[str, Any] | None = optional()


@dataclass(frozen=True)
class ShapeResult(StageResult):
    stage = "shape"

    shapes: Mapping[str, Sequence[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontendResult(StageResult):
    """Whether the front-end went into the graph; the kind's own facts are in ``details``."""

    stage = "frontend"

    embedded: bool = False


@dataclass(frozen=True)
class CalibrateResult(StageResult):
    """Prompts (generative models) or calibration/held-out sample counts; the data is in the entry."""

    stage = "calibrate"

    kind: str = ""
    prompts: bool | None = optional()
    calibration_samples: int | None = optional()
    holdout_samples: int | None = optional()


@dataclass(frozen=True)
class CompressResult(StageResult):
    """``weights`` for a float pass-through, else the ``map`` applied; NNCF's counts in ``details``."""

    stage = "compress"

    weights: str | None = optional()
    map: Mapping[str, Any] | None = optional()


@dataclass(frozen=True)
class ValidateResult(StageResult):
    """The gated metric's value (``None`` when it has one value per output) and every value."""

    stage = "validate"

    metric: str = ""
    value: float | None = None
    samples: int = 0
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SerializeResult(StageResult):
    """The final IR's ports: ``{name, names, shape, type}`` each."""

    stage = "serialize"

    inputs: Sequence[Mapping[str, Any]] = ()
    outputs: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class PrecompileResult(StageResult):
    """The device plan, the devices present, and per device its blob and compile facts."""

    stage = "precompile"

    plan: Mapping[str, Any] = field(default_factory=dict)
    available: Sequence[str] = ()
    blobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class EmitResult(StageResult):
    stage = "emit"

    files: int = 0
    size_bytes: int = 0
