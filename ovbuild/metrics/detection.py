"""The ``detection`` metric: do the candidate's detections match the reference's?

Both models' outputs go through the recipe's decode (``yolo``: one ``[1, 4 + C, A]`` output of
centre-size boxes and class scores, as Ultralytics exports; or a ``module:function`` returning
``(boxes [A, 4] as x1 y1 x2 y2, scores [A, C])``), then a score threshold and per-class NMS.
Every detection of either side is matched to the other side's best same-class box; the metric
is the mean IoU over all of them (an unmatched or wrongly classed detection counts 0), so a lost
detection, a spurious one, a class flip and a moved box all lower it. 1.0 is a perfect match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Decoded = tuple[np.ndarray, np.ndarray]


def decode_yolo(outputs: list[np.ndarray]) -> Decoded:
    """Ultralytics-style ``[1, 4 + C, A]`` (or ``[1, A, 4 + C]``): centre x, y, width, height, scores."""
    out = np.asarray(outputs[0], np.float64)[0]
    if out.shape[0] > out.shape[1]:
        out = out.T
    cx, cy, w, h = out[:4]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes, out[4:].T


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of ``x1 y1 x2 y2`` boxes, ``[len(a), len(b)]``."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0, None), axis=2)
    area = lambda x: np.prod(np.clip(x[:, 2:] - x[:, :2], 0, None), axis=1)  # noqa: E731
    return inter / np.maximum(area(a)[:, None] + area(b)[None, :] - inter, 1e-12)


def detect(decoded: Decoded, score_threshold: float, nms_iou: float) -> tuple[np.ndarray, np.ndarray]:
    """``(boxes, classes)`` above the threshold after greedy per-class NMS."""
    boxes, scores = decoded
    classes, best = scores.argmax(1), scores.max(1)
    keep_boxes, keep_classes = [], []
    for cls in np.unique(classes[best >= score_threshold]):
        idx = np.where((classes == cls) & (best >= score_threshold))[0]
        idx = idx[np.argsort(-best[idx])]
        while len(idx):
            keep_boxes.append(boxes[idx[0]])
            keep_classes.append(cls)
            overlap = iou_matrix(boxes[idx[:1]], boxes[idx[1:]])[0]
            idx = idx[1:][overlap < nms_iou]
    return np.reshape(keep_boxes, (-1, 4)), np.asarray(keep_classes, int)


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
