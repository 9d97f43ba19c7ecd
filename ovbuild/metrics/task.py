"""Metrics that score a whole sample (every output at once) or a generation, not one array.

``detection`` decodes both models' outputs into boxes (:mod:`.detection`); ``target`` is the
recipe's own ``module:function(reference, candidate)``; ``token_agreement`` and ``wer`` score what
a generative artifact generates (scored by :mod:`ovbuild.stages._validate_generative`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ovbuild.errors import StageError
from ovbuild.metrics.registry import AccuracyMetric, Score


class Detection(AccuracyMetric):
    """Mean IoU of every detection of either side with its best same-class match on the other."""

    name = "detection"
    scope = "sample"

    def score_samples(self, refs: list, cands: list, cfg: dict[str, Any]) -> tuple[Score, dict[str, float]]:
        """``(score, breakdown)``: the pooled value with each sample's, and what makes it up."""
        from ovbuild.metrics.detection import detection_metric

        summary, per_sample = detection_metric(refs, cands, cfg.get("detection") or {})
        return Score(summary["detection"], np.array(per_sample)), summary


class Target(AccuracyMetric):
    """The recipe's ``validate.target`` function of (reference outputs, candidate outputs); its
    ideal is the reference scored against itself."""

    name = "target"
    scope = "sample"
    low = None
    high = None
    ideal = None

    def score_samples(self, refs: list, cands: list, cfg: dict[str, Any]) -> tuple[Score, dict[str, float]]:
        spec = cfg.get("target")
        if not spec:
            raise StageError("validate.target: metric 'target' needs validate.target='module:function'")
        from ovbuild.target import resolve_target

        value = float(resolve_target(spec, "validate.target")(refs, cands))
        return Score(value), {}


class Generative(AccuracyMetric):
    """A metric of generative artifacts: scored by generating, which the ``validate`` stage does
    (its scorers live with the stage, :mod:`ovbuild.stages._validate_generative`); the registry
    holds only its direction and range."""

    scope = "generation"


class TokenAgreement(Generative):
    """Teacher-forced greedy token agreement with the FP32 model's generations."""

    name = "token_agreement"


class Wer(Generative):
    """Word error rate of the candidate's transcripts against the FP32 model's."""

    name = "wer"
    higher_is_better = False
    high = None
    ideal = 0.0
