"""The metric registry: one class per accuracy metric, registered by subclassing (as stages and
sources are), holding everything the rest of ovbuild needs to know about it.

A metric knows its direction (is a larger value better?), the range its values can take, the value
of a candidate identical to its reference (``ideal``), how it scores one sample and reduces the
samples to one number, and how it is printed. The gate (:mod:`.gate`), ``precision: auto``, the
sweep report and its Pareto front, preflight and ``ovbuild show`` all ask it instead of keeping
their own lists.

Comparisons with a bound go through :func:`at_least` / :func:`at_most`, which forgive float
rounding: a drop of ``1 - 0.95 = 0.05000000000000004`` meets a budget of ``0.05``.

>>> m = get_metric("similarity_rmse")
>>> m.higher_is_better, m.ideal, m.drop(0.002)
(False, 0.0, 0.002)
>>> at_most(1 - 0.95, 0.05)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ovbuild.errors import StageError
from ovbuild.registry import register

#: Relative slack of a comparison with a bound (float rounding, not a real margin).
TOLERANCE = 1e-9
#: The per-sample percentile recorded beside the mean and the worst case: ``<check>.p5`` is the
#: value that all but the worst 5% of samples reach (the 5th percentile for a higher-is-better
#: metric, the 95th for an error).
TAIL_PERCENT = 5.0


def _slack(bound: float) -> float:
    return TOLERANCE * max(1.0, abs(bound))


def at_least(value: float, bound: float) -> bool:
    """``value >= bound``, forgiving float rounding at the bound."""
    return value >= bound - _slack(bound)


def at_most(value: float, bound: float) -> bool:
    """``value <= bound``, forgiving float rounding at the bound."""
    return value <= bound + _slack(bound)


@dataclass(frozen=True)
class Score:
    """One metric over a set of samples: the reduced ``value`` and, where the metric has one, the
    value of each sample (``per_sample``), from which ``worst`` and the tail percentile come."""

    value: float
    per_sample: np.ndarray | None = None


class AccuracyMetric:
    """Base class of every accuracy metric; a subclass with a ``name`` registers itself.

    Class attributes:
        name: what ``validate.metric`` / ``precision.accuracy.metric`` call it.
        higher_is_better: direction of the value.
        low, high: the range of the value (None: unbounded on that side).
        ideal: the value of a candidate identical to the reference (None: measured, the
            reference scored against itself, as for ``target``).
        scope: ``"output"`` (one output, or a part of one, per check), ``"sample"`` (all outputs
            of a sample at once) or ``"generation"`` (generative models, scored by generating).
        needs_vector: meaningless on one value per sample (cosine of two scalars is always 1);
            such outputs are scored by ``decision`` instead.
        binary: each sample scores 0 or 1 (a decision), so the mean already is the flip rate.
        derives_worst: smooth per sample, so a bound on the worst sample is derived from the
            value's bound when ``validate.worst`` is unset (see :mod:`.gate`).
        digits: decimals shown.
    """

    registry: ClassVar[dict[str, type[AccuracyMetric]]] = {}
    name: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    low: ClassVar[float | None] = 0.0
    high: ClassVar[float | None] = 1.0
    ideal: ClassVar[float | None] = 1.0
    scope: ClassVar[str] = "output"
    needs_vector: ClassVar[bool] = False
    binary: ClassVar[bool] = False
    derives_worst: ClassVar[bool] = False
    digits: ClassVar[int] = 6

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            register(AccuracyMetric.registry, cls.name, cls, "metric name")

    # ---- scoring ------------------------------------------------------------------------------

    def per_sample(
        self, refs: list[np.ndarray], cands: list[np.ndarray], samples: list[dict] | None, params: dict
    ) -> np.ndarray:
        """The value of each sample (``scope == "output"`` metrics)."""
        raise NotImplementedError(f"metric {self.name!r} has no per-sample values")

    def reduce(self, values: np.ndarray) -> float:
        """The samples' values as one number (the mean unless the metric says otherwise)."""
        return float(np.mean(values))

    def score(
        self, refs: list[np.ndarray], cands: list[np.ndarray], samples: list[dict] | None, params: dict
    ) -> Score:
        values = np.asarray(self.per_sample(refs, cands, samples, params), np.float64)
        return Score(self.reduce(values), values)

    # ---- direction and bounds -----------------------------------------------------------------

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"

    def worst(self, values: np.ndarray) -> float:
        """The worst sample's value."""
        return float(np.min(values) if self.higher_is_better else np.max(values))

    def tail(self, values: np.ndarray, percent: float = TAIL_PERCENT) -> float:
        """The value all but the worst ``percent`` % of samples reach."""
        q = percent if self.higher_is_better else 100.0 - percent
        return float(np.percentile(values, q))

    def drop(self, value: float, ideal: float | None = None) -> float:
        """How much worse ``value`` is than ``ideal`` (the metric's own, unless measured): >= 0
        means worse, whichever the direction."""
        base = self.ideal if ideal is None else ideal
        if base is None:
            raise StageError(f"metric {self.name!r}: the drop needs the reference's own value")
        return base - value if self.higher_is_better else value - base

    def allowed(self, max_drop: float, ideal: float | None = None) -> float:
        """The worst value a drop of ``max_drop`` allows (``ideal - max_drop`` for a similarity)."""
        base = self.ideal if ideal is None else ideal
        return base - max_drop if self.higher_is_better else base + max_drop

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` is strictly better than ``b``."""
        return a > b if self.higher_is_better else a < b

    def meets(self, value: float, minimum: float | None, maximum: float | None) -> bool:
        """``minimum <= value <= maximum`` (either may be None), forgiving float rounding."""
        return (minimum is None or at_least(value, minimum)) and (maximum is None or at_most(value, maximum))

    def outside_range(self, value: float) -> bool:
        """True when ``value`` cannot be a value of this metric (a bound outside its range)."""
        return (self.low is not None and value < self.low) or (self.high is not None and value > self.high)

    @property
    def span(self) -> str:
        low = "-inf" if self.low is None else f"{self.low}"
        high = "inf" if self.high is None else f"{self.high}"
        return f"[{low}, {high}]"

    def display(self, value: float | None) -> str:
        return "-" if value is None or not math.isfinite(value) else f"{value:.{self.digits}f}"


def metric_names() -> list[str]:
    """Every registered metric, sorted."""
    _load_builtins()
    return sorted(AccuracyMetric.registry)


def get_metric(name: str | Any, key: str = "validate.metric") -> AccuracyMetric:
    """The metric called ``name`` (an enum value is accepted).

    Raises:
        StageError: naming ``key``, when no metric has that name.
    """
    _load_builtins()
    name = str(getattr(name, "value", name))
    cls = AccuracyMetric.registry.get(name)
    if cls is None:
        raise StageError(f"{key}: {name!r} is not a metric; use one of {', '.join(metric_names())}")
    return cls()


def find_metric(name: str | None) -> AccuracyMetric | None:
    """The metric called ``name``, or None for an unknown or missing name (reports, plots); a
    check's name (``cosine[scores]``, ``cosine.worst``) finds its metric."""
    _load_builtins()
    text = str(getattr(name, "value", name)).split("[", 1)[0].split(".", 1)[0]
    cls = AccuracyMetric.registry.get(text)
    return cls() if cls is not None else None


def higher_is_better(name: str | None) -> bool:
    """Direction of a metric by name; an unknown name counts as higher-is-better (a similarity)."""
    metric = find_metric(name)
    return metric.higher_is_better if metric is not None else True


def _load_builtins() -> None:
    """Import the modules defining the built-in metrics (they register on import)."""
    from ovbuild.metrics import builtin, sequence, task  # noqa: F401


def accuracy_lines(accuracy: dict[str, Any]) -> list[str]:
    """A manifest's ``metrics.accuracy`` as lines for people: each check with its direction and,
    beside it, its worst sample and tail percentile; other figures (a breakdown) as they are."""
    lines = []
    numbers = {k: v for k, v in accuracy.items() if isinstance(v, (int, float))}
    for name, value in numbers.items():
        base, _, stat = name.rpartition(".")
        if stat in ("worst", "p5") and base in numbers:
            continue  # shown on its check's line
        metric = find_metric(name)
        if metric is None:
            lines.append(f"accuracy {name}: {value:.6g}")
            continue
        line = f"accuracy {name}: {metric.display(value)} ({metric.direction}"
        if f"{name}.worst" in numbers:
            line += f"; worst sample {metric.display(numbers[f'{name}.worst'])}"
        if f"{name}.p5" in numbers:
            line += f", {TAIL_PERCENT:g}% of samples worse than {metric.display(numbers[f'{name}.p5'])}"
        lines.append(line + ")")
    return lines
