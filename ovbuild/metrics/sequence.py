"""Metrics of sequence outputs: greedy CTC strings, compared as a recognizer's user reads them.

A CTC recognizer's output ``[1, T, C]`` holds class scores at each of ``T`` steps; its text is the
argmax at every step with repeats collapsed and the blank class (``validate.blank``, default 0)
dropped. Two outputs whose argmax differs only at steps the collapse removes read the same, and
one class flip at a kept step changes the string: so these metrics score strings, not arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ovbuild.metrics.builtin import step_labels
from ovbuild.metrics.registry import AccuracyMetric


def edit_distance(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Levenshtein distance: substitutions, deletions and insertions turning ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
        previous = current
    return previous[-1]


def ctc_greedy(out: np.ndarray, blank: int = 0, class_axis: int | None = None) -> list[tuple[int, ...]]:
    """The greedy CTC label sequence of every row of one output (``[B, T, C]``, class axis last
    unless given): argmax per step, repeats collapsed, blanks dropped."""
    labels = np.atleast_2d(step_labels(out, class_axis))
    labels = labels.reshape(-1, labels.shape[-1])
    decoded = []
    for row in labels:
        kept = [int(v) for i, v in enumerate(row) if v != blank and (i == 0 or v != row[i - 1])]
        decoded.append(tuple(kept))
    return decoded


def _pairs(refs: list, cands: list, params: dict) -> list[list[tuple[tuple, tuple]]]:
    blank, axis = int(params.get("blank", 0)), params.get("class_axis")
    return [
        list(zip(ctc_greedy(r, blank, axis), ctc_greedy(c, blank, axis), strict=True))
        for r, c in zip(refs, cands, strict=True)
    ]


class CtcString(AccuracyMetric):
    """Share of greedy CTC strings equal to the reference's (each sample's rows)."""

    name = "ctc_string"
    binary = True

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        return np.array([np.mean([a == b for a, b in rows]) for rows in _pairs(refs, cands, params)])


class CtcCer(AccuracyMetric):
    """Character error rate of the greedy CTC strings against the reference's: edits over the
    reference's length, per sample (an empty reference string: 1 per inserted character)."""

    name = "ctc_cer"
    higher_is_better = False
    high = None
    ideal = 0.0

    def per_sample(self, refs: list, cands: list, samples: list[dict] | None, params: dict) -> np.ndarray:
        out = []
        for rows in _pairs(refs, cands, params):
            edits = sum(edit_distance(a, b) for a, b in rows)
            out.append(edits / max(1, sum(len(a) for a, _ in rows)))
        return np.array(out)
