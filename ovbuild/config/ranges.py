"""The range of every numeric recipe value, and the check that names the key of each one outside it.

Each numeric field of the schema has one entry in :data:`RANGES`, keyed by its recipe path
(``*`` any mapping key, ``[]`` any list item); ``tests/config/test_ranges.py`` fails when a
numeric field has none, so a new field cannot slip through unbounded. Every float anywhere in a
recipe must be finite: NaN compares false with everything, so a NaN bound is a gate that never
fails and a NaN size reaches OpenVINO as garbage.

Upper bounds are far above any real model's values; they exist so that a typo (an extra few
zeros) is refused here instead of allocating terabytes or looping for hours in a stage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_DIM = 1 << 24  # one tensor axis (16M: a 17-minute waveform at 16 kHz)
MAX_ELEMENTS = 1 << 30  # all static axes of one input together (4 GiB of float32)
MAX_SAMPLES = 1_000_000  # calibration / validation samples
MAX_GROUP = 1 << 16  # quantization group sizes
MAX_TOKENS = 1 << 16  # sequence lengths and generated tokens
MAX_PIXELS = 1 << 14  # one image side


@dataclass(frozen=True)
class Range:
    """``low <= value <= high`` (``low < value`` when ``low_open``), or one of ``special``."""

    low: float | None
    high: float | None
    integer: bool = False
    low_open: bool = False
    special: tuple[int, ...] = ()
    meaning: str = ""  # what the special values mean, e.g. "-1 (dynamic)"

    def contains(self, value: float) -> bool:
        if value in self.special:
            return True
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        if self.low is None and self.high is None:
            text = f"{kind}"
        else:
            left = "(" if self.low_open or self.low is None else "["
            low = "-inf" if self.low is None else self._show(self.low)
            high = "inf)" if self.high is None else f"{self._show(self.high)}]"
            text = f"{kind} in {left}{low}, {high}"
        return f"{text}, or {self.meaning}" if self.special else text

    def _show(self, bound: float) -> str:
        return str(int(bound)) if self.integer else f"{bound:g}"


def _int(low: int | None, high: int | None, **extra: Any) -> Range:
    return Range(low, high, integer=True, **extra)


def _real(low: float | None, high: float | None, **extra: Any) -> Range:
    return Range(low, high, **extra)


_DIM = _int(1, MAX_DIM, special=(-1,), meaning="-1 (dynamic)")
_FRACTION = _real(0.0, 1.0)

#: Range of every numeric recipe value, by recipe path. Metric bounds (validate.min/max) depend on
#: the metric and are checked in :mod:`ovbuild.preflight._values`; here they only need to be finite.
RANGES: dict[str, Range] = {
    "inputs.*[]": _DIM,
    "device.input_shapes.*[]": _DIM,
    "device.num_streams": _int(-1, 256, meaning="-1 (AUTO)"),
    "device.num_requests": _int(0, 1024),
    "precision.group_size": _int(1, MAX_GROUP, special=(-1,), meaning="-1 (per channel)"),
    "precision.ratio": _real(0.0, 1.0, low_open=True),
    "precision.dynamic_quantization_group_size": _int(0, MAX_GROUP),
    "precision.smooth_quant_alpha": _real(0.0, 1.0, special=(-1,), meaning="-1 (disabled)"),
    "precision.accuracy.max_drop": _real(0.0, None),
    "precision.accuracy.samples": _int(1, MAX_SAMPLES),
    "precision.accuracy.rank_samples": _int(1, MAX_SAMPLES),
    "precision.accuracy.max_units": _int(1, 100_000),
    "precision.accuracy.confirm": _int(1, 100),
    "precision.accuracy.min_speedup": _real(0.0, 1000.0, low_open=True),
    "calibration.samples": _int(1, MAX_SAMPLES),
    "calibration.seed": _int(0, 2**32 - 1),
    "calibration.holdout": _int(0, MAX_SAMPLES),
    "validate.min": _real(None, None),
    "validate.max": _real(None, None),
    "validate.worst": _real(None, None),
    "validate.worst_factor": _real(1.0, 1000.0),
    "validate.decision_threshold": _real(-1e6, 1e6),
    "validate.class_axis": _int(-32, 32),
    "validate.blank": _int(0, 1 << 24),
    "validate.samples": _int(1, MAX_SAMPLES),
    "validate.new_tokens": _int(1, MAX_TOKENS),
    "validate.k": _int(1, 100_000),
    "validate.threshold": _real(-1e6, 1e6),
    "validate.parts.*.axis": _int(-32, 32),
    "validate.parts.*.slice[]": _int(-MAX_DIM, MAX_DIM),
    "validate.parts.*.min": _real(None, None),
    "validate.parts.*.max": _real(None, None),
    "validate.detection.score_threshold": _FRACTION,
    "validate.detection.nms_iou": _FRACTION,
    "postprocess.score_threshold": _FRACTION,
    "postprocess.nms_iou": _FRACTION,
    # audio front-end
    "frontend.sample_rate": _int(1000, 768_000),
    "frontend.n_fft": _int(2, MAX_GROUP),
    "frontend.win_length": _int(1, MAX_GROUP),
    "frontend.hop_length": _int(1, MAX_GROUP),
    "frontend.n_mels": _int(1, 1024),
    "frontend.n_mfcc": _int(1, 1024),
    "frontend.fmin": _real(0.0, 384_000.0),
    "frontend.fmax": _real(0.0, 384_000.0, low_open=True),
    "frontend.power": _real(0.0, 8.0, low_open=True),
    "frontend.top_db": _real(0.0, 1000.0, low_open=True),
    "frontend.chunk_seconds": _real(0.0, 3600.0, low_open=True),
    "frontend.num_samples": _int(1, MAX_DIM),
    # text front-end
    "frontend.max_length": _int(1, MAX_TOKENS),
    # image front-end (means, stds and padding on the 0-255 scale)
    "frontend.size[]": _int(1, MAX_PIXELS),
    "frontend.mean[]": _real(-65535.0, 65535.0),
    "frontend.scale[]": _real(0.0, 65535.0, low_open=True),
    "frontend.std[]": _real(0.0, 65535.0, low_open=True),
    "frontend.pad_value": _real(0.0, 255.0),
    "frontend.shorter_side": _int(1, MAX_PIXELS),
}

_TOKEN = re.compile(r"\[\]|[^.\[\]]+")


def values_at(recipe: Any, pattern: str) -> Iterator[tuple[str, Any]]:
    """``(key, value)`` of every value of ``recipe`` that ``pattern`` names (``None`` skipped).

    >>> list(values_at({"inputs": {"x": [1, -1]}}, "inputs.*[]"))
    [('inputs.x[0]', 1), ('inputs.x[1]', -1)]
    """

    def walk(node: Any, tokens: list[str], key: str) -> Iterator[tuple[str, Any]]:
        if not tokens:
            if node is not None:
                yield key, node
            return
        head, rest = tokens[0], tokens[1:]
        if head == "[]":
            for i, item in enumerate(node if isinstance(node, list) else []):
                yield from walk(item, rest, f"{key}[{i}]")
        elif isinstance(node, dict):
            for name in node if head == "*" else [head] if head in node else []:
                yield from walk(node[name], rest, f"{key}.{name}" if key else str(name))

    return walk(recipe, _TOKEN.findall(pattern), "")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _not_finite(node: Any, key: str) -> Iterator[str]:
    if isinstance(node, float) and not math.isfinite(node):
        yield f"{key}: {node} is not a finite number"
    elif isinstance(node, dict):
        for name, item in node.items():
            yield from _not_finite(item, f"{key}.{name}" if key else str(name))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _not_finite(item, f"{key}[{i}]")


def range_problems(recipe: dict[str, Any]) -> list[str]:
    """Every numeric value outside its range, and every NaN or infinity, each naming its key."""
    problems = list(_not_finite(recipe, ""))
    bad = {p.partition(":")[0] for p in problems}
    for pattern, allowed in RANGES.items():
        for key, value in values_at(recipe, pattern):
            if _number(value) and key not in bad and not allowed.contains(value):
                problems.append(f"{key}: {value} is outside its range; use {allowed.describe()}")
    problems += _element_problems(recipe.get("inputs") or {}, "inputs")
    problems += _element_problems(
        (recipe.get("device") or {}).get("input_shapes") or {}, "device.input_shapes"
    )
    return problems


def _element_problems(shapes: dict[str, Any], key: str) -> list[str]:
    """A static input of more than :data:`MAX_ELEMENTS` values would not fit in memory."""
    out = []
    for name, dims in shapes.items():
        if isinstance(dims, list) and dims and all(_number(d) and 1 <= d <= MAX_DIM for d in dims):
            total = math.prod(dims)
            if total > MAX_ELEMENTS:
                out.append(f"{key}.{name}: {dims} holds {total} values; at most {MAX_ELEMENTS} are allowed")
    return out
