"""The ``detection`` metric: do the candidate's detections match the reference's?

Both models' outputs go through the recipe's decode (``yolo``: one ``[1, 4 + C, A]`` output of
centre-size boxes and class scores, as Ultralytics exports; or a ``module:function`` returning
``(boxes [A, 4] as x1 y1 x2 y2, scores [A, C])``), then a score threshold and per-class NMS:
those of :mod:`ovbuild.runtime.detection`, which a ``DetectorModel`` runs too.
Every detection of either side is matched to the other side's best same-class box; the metric
is the mean IoU over all of them (an unmatched or wrongly classed detection counts 0), so a lost
detection, a spurious one, a class flip and a moved box all lower it. 1.0 is a perfect match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# The decode and NMS live in the runtime, so DetectorModel.detect returns what validate gated on.
from ovbuild.runtime.detection import Decoded, decode_yolo, detect, iou_matrix

__all__ = [
    "Decoded",
    "decode_yolo",
    "decoder",
    "detect",
    "detection_agreement",
    "detection_metric",
    "iou_matrix",
]


def _best_same_class(boxes: np.ndarray, classes: np.ndarray, other: tuple[np.ndarray, np.ndarray]) -> list:
    ious = iou_matrix(boxes, other[0]) * (classes[:, None] == other[1][None, :])
    return list(ious.max(1)) if ious.shape[1] else [0.0] * len(boxes)


def detection_agreement(
    refs: list[list[np.ndarray]],
    cands: list[list[np.ndarray]],
    decode: Callable[[list[np.ndarray]], Decoded],
    score_threshold: float = 0.25,
    nms_iou: float = 0.5,
) -> dict[str, float]:
    """``detection`` (mean matched IoU over both sides' detections) plus what makes it up.

    Args:
        refs, cands: every output of the reference and the candidate, per sample.
        decode: outputs of one sample → ``(boxes, class scores)``.
        score_threshold: a box is a detection when its best class score reaches this.
        nms_iou: overlap above which the lower-scored box of a class is suppressed.

    Returns:
        ``{"detection", "detections_ref", "detections_lost", "class_flips", "mean_box_iou"}``.
    """
    return detection_per_sample(refs, cands, decode, score_threshold, nms_iou)[0]


def detection_per_sample(
    refs: list[list[np.ndarray]],
    cands: list[list[np.ndarray]],
    decode: Callable[[list[np.ndarray]], Decoded],
    score_threshold: float = 0.25,
    nms_iou: float = 0.5,
) -> tuple[dict[str, float], list[float]]:
    """:func:`detection_agreement` and each sample's own ``detection`` value (1.0 for a sample
    where neither side detects anything)."""
    matched: list[float] = []
    per_sample: list[float] = []
    lost = flips = total_ref = 0
    ious: list[float] = []
    for ref_out, cand_out in zip(refs, cands, strict=True):
        r = detect(decode(ref_out), score_threshold, nms_iou)
        c = detect(decode(cand_out), score_threshold, nms_iou)
        from_ref = _best_same_class(*r, c)
        sample = from_ref + _best_same_class(*c, r)
        matched += sample
        per_sample.append(float(np.mean(sample)) if sample else 1.0)
        total_ref += len(r[0])
        lost += sum(v == 0.0 for v in from_ref)
        any_class = iou_matrix(r[0], c[0])
        if any_class.size:
            best = any_class.argmax(1)
            flips += int(np.sum((any_class.max(1) > 0.5) & (c[1][best] != r[1])))
            ious += [v for v in from_ref if v > 0]
    summary = {
        "detection": float(np.mean(matched)) if matched else 1.0,
        "detections_ref": float(total_ref),
        "detections_lost": float(lost),
        "class_flips": float(flips),
        "mean_box_iou": float(np.mean(ious)) if ious else 1.0,
    }
    return summary, per_sample


def decoder(spec: str | None) -> Callable[[list[np.ndarray]], Decoded]:
    """The decode a recipe names: ``yolo`` (the default) or a ``module:function``."""
    if not spec or spec == "yolo":
        return decode_yolo
    from ovbuild.target import resolve_target

    return resolve_target(spec, "validate.detection.decode")


def detection_metric(refs: list, cands: list, params: dict[str, Any]) -> tuple[dict[str, float], list[float]]:
    """:func:`detection_per_sample` with the recipe's ``validate.detection`` settings."""
    return detection_per_sample(
        refs,
        cands,
        decoder(params.get("decode")),
        float(params.get("score_threshold", 0.25)),
        float(params.get("nms_iou", 0.5)),
    )
