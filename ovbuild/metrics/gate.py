"""The checks a ``validate`` block asks for, measured per output, and the gate over them.

The block's ``metric`` is measured on **every** output separately (a detector's box rows cannot
hide its class scores), unless ``validate.parts`` splits an output along an axis into named
parts, each with its own metric and bounds. ``detection`` and ``target`` look at all outputs of a
sample at once. The ``validate`` stage fails when any check misses its bounds (each is reported);
``precision: auto`` scores candidate maps with the same checks (:func:`worst_drop`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ovbuild.errors import StageError

WHOLE_SAMPLE = frozenset({"detection", "target"})  # metrics over all outputs of a sample
LOWER_IS_BETTER = frozenset({"max_abs", "similarity_rmse"})


@dataclass(frozen=True)
class Check:
    """One gated value: a metric over one output, a part of one, or all outputs of a sample."""

    name: str
    metric: str
    output: int | None = None  # None: every output of the sample
    axis: int | None = None
    start: int | None = None
    stop: int | None = None
    min: float | None = None
    max: float | None = None

    def values(self, outputs: list[list[np.ndarray]]) -> list[np.ndarray]:
        """This check's array of each sample (one output, sliced along ``axis`` for a part)."""
        arrays = [np.asarray(o[self.output]) for o in outputs]
        if self.axis is None:
            return arrays
        return [
            np.take(a, np.arange(a.shape[self.axis])[self.start : self.stop], axis=self.axis) for a in arrays
        ]


def _output_index(ref: Any, names: list[str], key: str) -> int:
    if isinstance(ref, int) and 0 <= ref < len(names):
        return ref
    if isinstance(ref, str) and ref in names:
        return names.index(ref)
    raise StageError(f"{key}: the model has no output {ref!r} (outputs: {', '.join(names)})")


def _part_bounds(part: dict[str, Any], bounds: dict[str, Any], same_metric: bool) -> dict[str, Any]:
    """A part's own ``min``/``max``; unset ones follow the block's when the metric is the same."""
    return {
        k: part.get(k) if part.get(k) is not None else (bounds[k] if same_metric else None)
        for k in ("min", "max")
    }


def checks_for(cfg: dict[str, Any], output_names: list[str]) -> list[Check]:
    """The gated checks of a ``validate`` block for a model with these outputs."""
    metric, bounds = cfg["metric"], {"min": cfg.get("min"), "max": cfg.get("max")}
    if metric in WHOLE_SAMPLE:
        return [Check(metric, metric, **bounds)]
    checks: list[Check] = []
    split: set[int] = set()
    for name, part in (cfg.get("parts") or {}).items():
        index = _output_index(part.get("output", 0), output_names, f"validate.parts.{name}.output")
        start, stop = (list(part.get("slice") or [None, None]) + [None, None])[:2]
        split.add(index)
        checks.append(
            Check(
                name=f"{part.get('metric') or metric}[{name}]",
                metric=part.get("metric") or metric,
                output=index,
                axis=int(part.get("axis", 1)),
                start=start,
                stop=stop,
                **_part_bounds(part, bounds, (part.get("metric") or metric) == metric),
            )
        )
    for index, out_name in enumerate(output_names):
        if index not in split:
            label = metric if len(output_names) == 1 else f"{metric}[{out_name}]"
            checks.append(Check(label, metric, output=index, **bounds))
    return checks


def measure(
    checks: list[Check],
    refs: list[list[np.ndarray]],
    cands: list[list[np.ndarray]],
    samples: list[dict[str, Any]] | None,
    cfg: dict[str, Any],
) -> dict[str, float]:
    """``{check name: value}`` (plus the detection metric's breakdown) for every check."""
    from ovbuild.metrics.detection import detection_metric
    from ovbuild.metrics.similarity import array_metric

    values: dict[str, float] = {}
    for check in checks:
        if check.metric == "detection":
            values.update(detection_metric(refs, cands, cfg.get("detection") or {}))
        elif check.metric == "target":
            values[check.name] = float(_target(cfg.get("target"))(refs, cands))
        else:
            params = {"k": cfg.get("k", 5), "threshold": cfg.get("threshold", 0.5)}
            values[check.name] = array_metric(
                check.metric, check.values(refs), check.values(cands), samples, params
            )
    return values


class Miss(str):
    """One missed bound: the report line, with the check's name, value and bound attached."""

    metric: str
    value: float
    bound: dict


def _miss(line: str, name: str, value: float, bound: dict) -> Miss:
    miss = Miss(line)
    miss.metric, miss.value, miss.bound = name, value, bound
    return miss


def _shown(value: float, bound: float) -> str:
    """Six decimals, or every digit when six would print the bound itself ("1.000000 is below 1.0")."""
    text = f"{value:.6f}"
    return text if float(text) != float(bound) else repr(float(value))


def misses(checks: list[Check], values: dict[str, float]) -> list[Miss]:
    """One line per check outside its bounds, naming the recipe key and the measured value."""
    lines = []
    for c in checks:
        value = values[c.name]
        if c.min is not None and value < c.min:
            line = f"validate.min: measured {c.name} {_shown(value, c.min)} is below the minimum {c.min}"
            lines.append(_miss(line, c.name, value, {"min": c.min}))
        if c.max is not None and value > c.max:
            line = f"validate.max: measured {c.name} {_shown(value, c.max)} is above the maximum {c.max}"
            lines.append(_miss(line, c.name, value, {"max": c.max}))
    return lines


def worst_drop(checks: list[Check], values: dict[str, float], reference: dict[str, float]) -> float:
    """The largest drop of any check from the reference's own value (1 for similarities, 0 for
    ``max_abs``, the reference scored against itself for ``target``)."""
    drops = []
    for c in checks:
        ideal = reference.get(c.name, 0.0 if c.metric in LOWER_IS_BETTER else 1.0)
        value = values[c.name]
        drops.append(value - ideal if c.metric in LOWER_IS_BETTER else ideal - value)
    return max(drops) if drops else 0.0


def _target(spec: str | None) -> Any:
    if not spec:
        raise StageError("validate.target: metric 'target' needs validate.target='module:function'")
    from ovbuild.target import resolve_target

    return resolve_target(spec, "validate.target")
