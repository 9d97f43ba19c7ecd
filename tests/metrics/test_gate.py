"""Metrics per output and per part, task metrics, and the gate over them, on known arrays."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.metrics import checks_for, evaluate
from ovbuild.metrics.detection import decode_yolo, detection_agreement
from ovbuild.metrics.similarity import mask_iou, topk_agreement


def _yolo(boxes: list[tuple], classes: int = 3, anchors: int = 50) -> np.ndarray:
    """A YOLOv8-style output ``[1, 4 + C, A]`` with the given (cx, cy, w, h, class, score) boxes."""
    out = np.zeros((1, 4 + classes, anchors), np.float32)
    out[0, :4] = 1.0
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        out[0, :4, i] = cx, cy, w, h
        out[0, 4 + cls, i] = score
    return out


def test_a_detector_whose_class_scores_break_fails_although_whole_output_cosine_passes() -> None:
    ref = _yolo([(100, 100, 40, 40, 0, 0.9), (200, 150, 60, 30, 1, 0.8)])
    cand = ref.copy()
    cand[0, 4 + 1, 1] = 0.1  # the second detection is lost
    cand[0, 4 + 2, 1] = 0.7  # ... and reappears as another class
    cfg = {"metric": "cosine", "min": 0.99}
    whole = float(np.dot(ref.ravel(), cand.ravel()) / np.linalg.norm(ref) / np.linalg.norm(cand))
    assert whole > 0.99  # the pixel-sized box rows hide the score rows from a whole-output cosine
    parts = {"boxes": {"axis": 1, "slice": [0, 4], "metric": "max_abs", "max": 2.0},
             "scores": {"axis": 1, "slice": [4, None]}}  # fmt: skip
    values, missed = evaluate({**cfg, "parts": parts}, ["output0"], [[ref]], [[cand]])
    assert values["max_abs[boxes]"] == 0.0
    assert values["cosine[scores]"] < 0.99
    assert missed == [
        f"validate.min: measured cosine[scores] {values['cosine[scores]']:.6f} is below the minimum 0.99"
    ]
    det = detection_agreement([[ref]], [[cand]], decode_yolo)
    assert det["detections_ref"] == 2 and det["detections_lost"] == 1 and det["class_flips"] == 1
    assert det["detection"] == pytest.approx(0.5)  # 2 of 4 detections (both sides) matched exactly


def test_every_output_is_gated_and_each_miss_is_reported() -> None:
    rng = np.random.default_rng(0)
    refs = [[rng.standard_normal(8), rng.standard_normal(4)] for _ in range(5)]
    cands = [[a.copy(), -b] for a, b in refs]  # the second output is inverted
    values, missed = evaluate({"metric": "cosine", "min": 0.9}, ["boxes", "scores"], refs, cands)
    assert values["cosine[boxes]"] == pytest.approx(1.0)
    assert values["cosine[scores]"] == pytest.approx(-1.0)
    assert len(missed) == 1 and "cosine[scores]" in missed[0]
    cands[0][0] = -cands[0][0]
    _, missed = evaluate({"metric": "cosine", "min": 0.9}, ["boxes", "scores"], refs, cands)
    assert len(missed) == 2


def test_a_moved_box_lowers_detection_by_its_iou() -> None:
    ref = _yolo([(100, 100, 40, 40, 0, 0.9)])
    moved = _yolo([(110, 100, 40, 40, 0, 0.9)])  # 10 px right: IoU 30*40 / (2*1600 - 1200) = 0.6
    det = detection_agreement([[ref]], [[moved]], decode_yolo)
    assert det["detection"] == pytest.approx(0.6) and det["detections_lost"] == 0


def test_mask_iou_topk_and_unknown_outputs() -> None:
    ref = np.zeros((1, 1, 8, 8))
    ref[..., 2:6, 2:6] = 0.9
    cand = ref.copy()
    cand[..., 2:6, 5] = 0.1  # one column of four pixels falls below the threshold
    assert mask_iou([ref], [cand], 0.3) == pytest.approx(12 / 16)
    assert mask_iou([np.zeros(4)], [np.zeros(4)], 0.3) == 1.0
    logits = np.array([[5.0, 4.0, 3.0, 2.0, 1.0]])
    swapped = np.array([[5.0, 4.0, 1.0, 2.0, 3.0]])
    assert topk_agreement(logits, swapped, 2) == 1.0 and topk_agreement(logits, swapped, 3) == pytest.approx(
        2 / 3
    )
    with pytest.raises(Exception, match="validate.parts.x.output: the model has no output 'nope'"):
        checks_for({"metric": "cosine", "parts": {"x": {"output": "nope"}}}, ["output0"])
