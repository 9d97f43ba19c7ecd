"""Detections from a detector's outputs: the decode, per-class NMS, and boxes in image pixels.

The ``detection`` metric (:mod:`ovbuild.metrics.detection`) and :class:`~.tasks.DetectorModel`
both decode with this module, so what validate gated is what ``detect`` returns. ``yolo`` reads
one ``[1, 4 + C, A]`` output (or ``[1, A, 4 + C]``) of centre-size boxes and class scores, as
Ultralytics exports; a ``module:function`` decode returns ``(boxes [A, 4] as x1 y1 x2 y2, scores
[A, C])`` from the list of outputs.
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


def decoder_for(spec: str | None) -> Callable[[list[np.ndarray]], Decoded]:
    """The decode ``spec`` names: ``yolo`` (the default) or a ``module:function``."""
    if not spec or spec == "yolo":
        return decode_yolo
    import importlib

    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of ``x1 y1 x2 y2`` boxes, ``[len(a), len(b)]``."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0, None), axis=2)
    area = lambda x: np.prod(np.clip(x[:, 2:] - x[:, :2], 0, None), axis=1)  # noqa: E731
    return inter / np.maximum(area(a)[:, None] + area(b)[None, :] - inter, 1e-12)


def scored_detections(
    decoded: Decoded, score_threshold: float, nms_iou: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(boxes, classes, scores)`` above the threshold after greedy per-class NMS, each class's
    boxes best first."""
    boxes, scores = decoded
    classes, best = scores.argmax(1), scores.max(1)
    keep: list[int] = []
    for cls in np.unique(classes[best >= score_threshold]):
        idx = np.where((classes == cls) & (best >= score_threshold))[0]
        idx = idx[np.argsort(-best[idx])]
        while len(idx):
            keep.append(int(idx[0]))
            overlap = iou_matrix(boxes[idx[:1]], boxes[idx[1:]])[0]
            idx = idx[1:][overlap < nms_iou]
    return np.reshape(boxes[keep], (-1, 4)), np.asarray(classes[keep], int), np.asarray(best[keep], float)


def detect(decoded: Decoded, score_threshold: float, nms_iou: float) -> tuple[np.ndarray, np.ndarray]:
    """``(boxes, classes)`` above the threshold after greedy per-class NMS."""
    boxes, classes, _ = scored_detections(decoded, score_threshold, nms_iou)
    return boxes, classes


def to_image_pixels(boxes: np.ndarray, height: int, width: int, frontend: dict[str, Any]) -> np.ndarray:
    """Boxes in the model input's pixels back in those of the ``height`` x ``width`` image the
    image front-end resized (``stretch``, ``letterbox`` centred or at the top left, or
    ``shorter_side`` then a centre crop, as :mod:`ovbuild.frontends.image` builds them), clipped
    to the image."""
    th, tw = (frontend.get("size") or [height, width])[:2]
    resize = frontend.get("resize") or "stretch"
    if resize == "letterbox":  # the image padded to the model's aspect, then scaled to the input
        new_h, new_w = max(height, -(-width * th // tw)), max(width, -(-height * tw // th))
        top = left = 0
        if (frontend.get("letterbox_anchor") or "center") == "center":
            top, left = (new_h - height) // 2, (new_w - width) // 2
        sy, sx, oy, ox = new_h / th, new_w / tw, -top, -left
    elif resize == "shorter_side":  # scaled (floored sizes), then the centre crop of the input size
        side = int(frontend["shorter_side"])
        new_h, new_w = height * side // min(height, width), width * side // min(height, width)
        sy, sx = height / new_h, width / new_w
        oy, ox = (new_h - th) // 2 * sy, (new_w - tw) // 2 * sx
    else:
        sy, sx, oy, ox = height / th, width / tw, 0, 0
    scale = np.array([sx, sy, sx, sy])
    offset = np.array([ox, oy, ox, oy])
    out = np.asarray(boxes, np.float64).reshape(-1, 4) * scale + offset
    return np.clip(out, 0, [width, height, width, height])
