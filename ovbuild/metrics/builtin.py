"""The built-in metrics over one output (or one part of one): similarities, errors, agreements.

Each scores every sample on its own (so the gate sees the worst sample and a tail percentile, not
only the mean) and reduces them to one value. Token outputs ``[1, T, H]`` are mean-pooled over
the sample's attention mask first for the embedding metrics (cosine, max_abs, neighbours), so
padding does not count; ``top1_agreement`` instead compares the argmax at every step.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ovbuild.errors import StageError
from ovbuild.metrics.registry import AccuracyMetric
from ovbuild.metrics.similarity import (
    cosine_of,
    embeddings,
    mask_iou_per_sample,
    nearest_neighbours,
    similarity_row_rmse,
    topk_per_row,
)


def _pooled(refs: list, cands: list, samples: list[dict] | None) -> tuple[np.ndarray, np.ndarray]:
    return embeddings(refs, samples), embeddings(cands, samples)


def _set_level(name: str, refs: list, cands: list, samples: list[dict] | None, least: int) -> tuple:
    """Pooled vectors of one size for every sample, and at least ``least`` of them."""
    r, c = _pooled(refs, cands, samples)
    if r.dtype == object:
        raise StageError(f"validate.metric: {name} needs outputs of one size for every sample")
    if len(r) < least:
        raise StageError(f"validate.metric: {name} needs at least {least} held-out samples")
    return r, c


class Cosine(AccuracyMetric):
    """Cosine similarity of each sample's (pooled) output with the reference's."""

    name = "cosine"
    low = -1.0
    needs_vector = True
    derives_worst = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        r, c = _pooled(refs, cands, samples)
        return np.array([cosine_of(a, b) for a, b in zip(r, c, strict=True)])


class MaxAbs(AccuracyMetric):
    """Largest absolute difference of any element; the set's value is the largest of any sample."""

    name = "max_abs"
    higher_is_better = False
    high = None
    ideal = 0.0

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        r, c = _pooled(refs, cands, samples)
        pairs = zip(r, c, strict=True)
        return np.array([float(np.max(np.abs(a - b))) if np.size(a) else 0.0 for a, b in pairs])

    def reduce(self, values: np.ndarray) -> float:
        return float(np.max(values))


def class_axis(shape: tuple[int, ...], axis: int | None) -> int:
    """The class axis: ``axis`` when given, else the last axis longer than 1 (``[1, 1000, 1, 1]``
    is a classifier over axis 1; ``[1, 40, 6625]`` has 6625 classes at each of 40 steps)."""
    if axis is not None:
        return axis % len(shape)
    longer = [i for i, n in enumerate(shape) if n > 1]
    return longer[-1] if longer else len(shape) - 1


def step_labels(out: np.ndarray, axis: int | None) -> np.ndarray:
    """The argmax over the class axis at every other position (every step of a sequence)."""
    out = np.asarray(out)
    if out.ndim == 0:
        return out.reshape(1)
    return np.argmax(out, axis=class_axis(out.shape, axis))


class Top1Agreement(AccuracyMetric):
    """Share of positions whose argmax over the class axis is the same: one per sample for a
    classifier ``[1, C]``, one per step for a sequence ``[1, T, C]`` (masked steps excluded)."""

    name = "top1_agreement"
    needs_vector = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        axis = params.get("class_axis")
        out = []
        for i, (r, c) in enumerate(zip(refs, cands, strict=True)):
            a, b = step_labels(r, axis), step_labels(c, axis)
            same = a == b
            mask = (samples[i].get("attention_mask") if samples else None) if a.ndim == 2 else None
            if mask is not None and np.asarray(mask).shape == same.shape and np.asarray(mask).any():
                same = same[np.asarray(mask).astype(bool)]
            out.append(float(np.mean(same)))
        return np.array(out)


class TopkAgreement(AccuracyMetric):
    """Share of the reference's ``validate.k`` highest entries also among the candidate's."""

    name = "topk_agreement"
    needs_vector = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        r, c = _pooled(refs, cands, samples)
        k = int(params.get("k", 5))
        rows = [topk_per_row(np.atleast_2d(a), np.atleast_2d(b), k) for a, b in zip(r, c, strict=True)]
        return np.concatenate(rows)


class NnAgreement(AccuracyMetric):
    """Share of samples whose nearest neighbour (cosine, among the other samples) is the same."""

    name = "nn_agreement"
    needs_vector = True
    binary = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        r, c = _set_level(self.name, refs, cands, samples, 3)
        return (nearest_neighbours(r) == nearest_neighbours(c)).astype(np.float64)


class SimilarityRmse(AccuracyMetric):
    """RMS error of the cosine similarity of every pair of samples, candidate against reference.

    Nearest-neighbour search, clustering and ranking read these similarities, so this is the
    error they see; unlike ``nn_agreement`` it is smooth and does not depend on how many samples
    there are. A sample's value is the RMS error of its own row (its similarity to every other).
    """

    name = "similarity_rmse"
    higher_is_better = False
    high = 2.0
    ideal = 0.0
    needs_vector = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        return similarity_row_rmse(*_set_level(self.name, refs, cands, samples, 2))

    def reduce(self, values: np.ndarray) -> float:
        # Every pair once: the mean of the rows' squared errors is the mean over all pairs.
        return float(np.sqrt(np.mean(values**2)))


class MaskIou(AccuracyMetric):
    """IoU of the masks ``value > validate.threshold``; two empty masks agree perfectly."""

    name = "mask_iou"

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        return mask_iou_per_sample(refs, cands, float(params.get("threshold", 0.5)))


def decision_threshold(refs: list, given: float | None) -> float:
    """``given``, else 0.5 for probabilities (every reference value in [0, 1]) and 0 for logits."""
    if given is not None:
        return float(given)
    values = np.concatenate([np.asarray(r, np.float64).ravel() for r in refs]) if refs else np.zeros(0)
    return 0.5 if values.size and values.min() >= 0.0 and values.max() <= 1.0 else 0.0


class Decision(AccuracyMetric):
    """Share of values on the same side of a threshold (``validate.decision_threshold``; unset:
    0.5 for probabilities, 0 for logits): what a presence logit or a face score decides.

    Scalar outputs (one value per sample) are scored by this whatever ``validate.metric`` says
    when that metric needs a vector: the cosine of two scalars of one sign is always 1."""

    name = "decision"
    binary = True
    threshold_key: ClassVar[str] = "decision_threshold"

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        threshold = decision_threshold(refs, params.get(self.threshold_key))
        return np.array(
            [
                float(np.mean((np.asarray(r) > threshold) == (np.asarray(c) > threshold)))
                for r, c in zip(refs, cands, strict=True)
            ]
        )


def per_sample_size(array: Any) -> int:
    """Values per sample of one output array: its size over the leading batch axis (``[1, 1, 1, 1]``
    holds one value), or its whole size when it has no other axis (``[8]``: eight)."""
    a = np.asarray(array)
    return int(a.size // a.shape[0]) if a.ndim >= 2 and a.shape[0] else int(a.size)
