"""The checks a ``validate`` block asks for, measured per output, and the gate over them.

The block's ``metric`` is measured on **every** output separately (a detector's box rows cannot
hide its class scores), unless ``validate.parts`` splits an output along an axis into named
parts, each with its own metric and bounds. ``detection`` and ``target`` look at all outputs of a
sample at once. An output with one value per sample (a presence logit, a face score) is scored by
``decision`` agreement when the metric needs a vector (the cosine of two scalars is 1).

Every check records its per-sample worst case (``<check>.worst``) and tail (``<check>.p5``) beside
its value. ``validate.min``/``max`` bound the value; ``validate.worst`` bounds the worst sample,
and for metrics that derive one (cosine) it defaults to ``ideal - worst_factor * (ideal - min)``
(0.95 for ``min: 0.99``), so a mean cannot hide samples whose decisions flip. Bounds are compared
with a tolerance for float rounding (:func:`ovbuild.metrics.registry.at_least`). The ``validate``
stage fails when any check misses a bound (each is reported); ``precision: auto`` scores candidate
maps with the same checks (:func:`worst_drop`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ovbuild.errors import StageError
from ovbuild.metrics.registry import at_least, at_most, get_metric

#: Multiple of the mean's allowed drop a single sample may drop when ``validate.worst`` is unset.
WORST_FACTOR = 5.0


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
    worst: float | None = None  # bound on the worst sample, in the metric's direction

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


def worst_bound(cfg: dict[str, Any], metric: str, bounds: dict[str, Any]) -> float | None:
    """The bound on a check's worst sample: ``validate.worst``, else derived from the value's
    bound for metrics that allow it (``ideal - worst_factor * (ideal - min)``), else None."""
    if cfg.get("worst") is not None:
        return float(cfg["worst"])
    m = get_metric(metric)
    factor = cfg.get("worst_factor", WORST_FACTOR)
    bound = bounds["min"] if m.higher_is_better else bounds["max"]
    if not m.derives_worst or factor is None or bound is None or m.ideal is None:
        return None
    derived = m.ideal - float(factor) * (m.ideal - float(bound))
    return max(derived, m.low) if m.low is not None else derived


def _scalar_check(check: Check, metric: str, bounds: dict[str, Any]) -> Check:
    """``check`` scored by ``decision`` agreement: an output of one value per sample."""
    m = get_metric(metric)
    least = bounds["min"] if m.higher_is_better else None
    if not m.higher_is_better and bounds["max"] is not None and m.ideal is not None:
        least = 1.0 - (bounds["max"] - m.ideal)  # the same allowance as a share of flips
    name = check.name.replace(metric, "decision", 1)
    return replace(check, name=name, metric="decision", min=least, max=None, worst=None)


def checks_for(cfg: dict[str, Any], output_names: list[str], sizes: list[int] | None = None) -> list[Check]:
    """The gated checks of a ``validate`` block for a model with these outputs.

    Args:
        cfg: the ``validate`` block (or the budget's version of it).
        output_names: the model's outputs, in order.
        sizes: values per sample of each output, when known: an output of one value is scored by
            ``decision`` instead of a metric that needs a vector.
    """
    metric, bounds = str(cfg["metric"]), {"min": cfg.get("min"), "max": cfg.get("max")}
    if get_metric(metric).scope == "sample":
        return [Check(metric, metric, **bounds, worst=worst_bound(cfg, metric, bounds))]
    checks: list[Check] = []
    split: set[int] = set()
    for name, part in (cfg.get("parts") or {}).items():
        index = _output_index(part.get("output", 0), output_names, f"validate.parts.{name}.output")
        start, stop = (list(part.get("slice") or [None, None]) + [None, None])[:2]
        split.add(index)
        part_metric = str(part.get("metric") or metric)
        part_bounds = _part_bounds(part, bounds, part_metric == metric)
        checks.append(
            Check(
                name=f"{part_metric}[{name}]",
                metric=part_metric,
                output=index,
                axis=int(part.get("axis", 1)),
                start=start,
                stop=stop,
                worst=worst_bound(cfg if part_metric == metric else {}, part_metric, part_bounds),
                **part_bounds,
            )
        )
    for index, out_name in enumerate(output_names):
        if index in split:
            continue
        label = metric if len(output_names) == 1 else f"{metric}[{out_name}]"
        check = Check(label, metric, output=index, **bounds, worst=worst_bound(cfg, metric, bounds))
        if sizes is not None and sizes[index] == 1 and get_metric(metric).needs_vector:
            check = _scalar_check(check, metric, bounds)
        checks.append(check)
    return checks


def metric_params(cfg: dict[str, Any]) -> dict[str, Any]:
    """The registry parameters a metric reads from the ``validate`` block (``k``, thresholds, axes)."""
    keys = ("k", "threshold", "decision_threshold", "class_axis", "blank")
    return {k: cfg[k] for k in keys if cfg.get(k) is not None}


def _record(values: dict[str, float], name: str, metric: Any, score: Any) -> None:
    values[name] = score.value
    if score.per_sample is not None and len(score.per_sample):
        values[f"{name}.worst"] = metric.worst(score.per_sample)
        values[f"{name}.p5"] = metric.tail(score.per_sample)


def measure(
    checks: list[Check],
    refs: list[list[np.ndarray]],
    cands: list[list[np.ndarray]],
    samples: list[dict[str, Any]] | None,
    cfg: dict[str, Any],
) -> dict[str, float]:
    """``{check name: value}`` for every check, each with its ``.worst`` and ``.p5`` sample
    statistics where the metric has per-sample values (plus a task metric's breakdown)."""
    values: dict[str, float] = {}
    for check in checks:
        metric = get_metric(check.metric)
        if metric.scope == "sample":
            score, breakdown = metric.score_samples(refs, cands, cfg)
            values.update(breakdown)
        elif metric.scope == "output":
            score = metric.score(check.values(refs), check.values(cands), samples, metric_params(cfg))
        else:
            raise StageError(f"validate.metric: {check.metric} scores generative models only")
        _record(values, check.name, metric, score)
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
    """One line per bound a check misses, naming the recipe key and the measured value; a value
    at its bound up to float rounding meets it. The worst sample is reported when the value met
    its own bounds."""
    lines = []
    for c in checks:
        value, before = values[c.name], len(lines)
        if c.min is not None and not at_least(value, c.min):
            line = f"validate.min: measured {c.name} {_shown(value, c.min)} is below the minimum {c.min}"
            lines.append(_miss(line, c.name, value, {"min": c.min}))
        if c.max is not None and not at_most(value, c.max):
            line = f"validate.max: measured {c.name} {_shown(value, c.max)} is above the maximum {c.max}"
            lines.append(_miss(line, c.name, value, {"max": c.max}))
        worst = values.get(f"{c.name}.worst")
        if c.worst is None or worst is None or len(lines) > before:  # the value's miss says enough
            continue
        if get_metric(c.metric).higher_is_better and not at_least(worst, c.worst):
            line = f"validate.worst: the worst sample's {c.name} {_shown(worst, c.worst)} is below {c.worst}"
            lines.append(_miss(line, f"{c.name}.worst", worst, {"min": c.worst}))
        elif not get_metric(c.metric).higher_is_better and not at_most(worst, c.worst):
            line = f"validate.worst: the worst sample's {c.name} {_shown(worst, c.worst)} is above {c.worst}"
            lines.append(_miss(line, f"{c.name}.worst", worst, {"max": c.worst}))
    return lines


def worst_drop(
    checks: list[Check],
    values: dict[str, float],
    reference: dict[str, float],
    worst_factor: float | None = None,
) -> float:
    """The largest drop of any check from the reference's own value (the metric's ideal: 1 for
    similarities, 0 for errors; the reference scored against itself for ``target``).

    With ``worst_factor``, a metric that derives a worst-sample bound also counts its worst
    sample's drop divided by the factor: a budget ``max_drop`` then holds the worst sample to
    ``worst_factor * max_drop``, the same rule the gate applies to ``validate.min``.
    """
    drops = []
    for c in checks:
        metric = get_metric(c.metric)
        ideal = reference.get(c.name, metric.ideal)
        drops.append(metric.drop(values[c.name], ideal))
        worst = values.get(f"{c.name}.worst")
        if worst_factor and metric.derives_worst and worst is not None:
            drops.append(metric.drop(worst, ideal) / worst_factor)
    return max(drops) if drops else 0.0


def within_budget(drop: float, max_drop: float) -> bool:
    """Whether a drop meets a budget, forgiving float rounding (``1 - 0.95`` meets ``0.05``)."""
    return at_most(drop, max_drop)
