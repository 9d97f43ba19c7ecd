"""One way to time inference, used by ``ovbuild bench``, the sweep report, ``precision: auto`` and
``python loader.py --bench`` alike (ovbuild imports it from here, since artifacts carry this
package and the loader cannot import ovbuild).

Every runner is warmed up, then timed in interleaved rounds: each round runs every runner, in an
order rotated by one per round, for about ``seconds`` each (at least ``min_calls`` calls), and keeps
the median of that round. A runner's latency is the median of its round medians, with a
distribution-free confidence interval of that median (order statistics of the round medians:
the binomial interval, at least 95% for 9 or more rounds). Load on a shared machine then hits
every runner alike and widens the interval instead of moving one figure.

:func:`faster` says that one runner is faster than another only when their intervals say so: for
two runners timed in the same rounds, the interval of the per-round ratio; otherwise the two
intervals must not overlap. :func:`machine` records what the figures were measured on.

>>> t = interleaved({"a": lambda: None, "b": lambda: sum(range(2000))}, rounds=9, seconds=0.01)
>>> faster(t["a"], t["b"])
True
"""

from __future__ import annotations

import itertools
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

#: Interleaved rounds by default: 9 round medians give a >= 96% interval from the 2nd to the 8th.
ROUNDS = 9
#: Warm-up calls of each runner before the first round (compilation, allocation, caches).
WARMUP = 5
#: Confidence of the median's interval.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Timing:
    """The latency of one runner: the median over rounds of each round's median, its interval,
    and every round's median (the interleaved rounds of :func:`interleaved`)."""

    median_ms: float
    low_ms: float  # the median's confidence interval
    high_ms: float
    round_ms: list[float]  # each round's median, in round order
    calls: int
    p90_ms: float
    what: dict[str, Any] = field(default_factory=dict)  # what was timed: inputs, batch, precision, hint
    session: int = 0  # timings of one interleaved() call share it: their rounds pair up
    p99_ms: float = math.nan
    min_ms: float = math.nan
    mean_ms: float = math.nan
    seconds: float = math.nan  # time spent in timed calls

    @property
    def spread(self) -> float:
        """Half the interval's width relative to the median (0.05: the median is known to ±5%)."""
        return (self.high_ms - self.low_ms) / 2 / self.median_ms if self.median_ms else math.inf

    @property
    def rounds(self) -> int:
        return len(self.round_ms)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the fields, ``rounds`` (their count) and ``spread``."""
        out = asdict(self)
        out["round_ms"] = [round(v, 5) for v in self.round_ms]
        return {**out, "rounds": self.rounds, "spread": round(self.spread, 4)}

    def line(self) -> str:
        """``2.103 ms (95% CI 2.05-2.16, 9 rounds)``."""
        return (
            f"{self.median_ms:.3f} ms ({CONFIDENCE:.0%} CI {self.low_ms:.3f}-{self.high_ms:.3f}, "
            f"{self.rounds} rounds)"
        )


def median_interval(values: list[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """A distribution-free confidence interval of the median of ``values``: the ``k``-th smallest
    and ``k``-th largest, with ``k`` the largest rank whose binomial tail keeps the coverage."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return math.nan, math.nan
    alpha, k, tail = 1.0 - confidence, 0, 0.0
    while k < n // 2:
        tail += math.comb(n, k) / 2**n  # P(fewer than k + 1 of n values below the median)
        if 2 * tail > alpha:
            break
        k += 1
    k = max(k, 1)  # k-th order statistic, 1-based; with too few values the full range
    return xs[k - 1], xs[n - k]


_SESSIONS = itertools.count(1)


def _timing(rounds: list[float], calls: list[float], what: dict[str, Any], session: int) -> Timing:
    low, high = median_interval(rounds)
    ordered = sorted(calls)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]

    return Timing(
        statistics.median(rounds),
        low,
        high,
        rounds,
        len(calls),
        pct(0.9),
        dict(what),
        session,
        p99_ms=pct(0.99),
        min_ms=ordered[0],
        mean_ms=statistics.fmean(ordered),
        seconds=sum(ordered) / 1e3,
    )


def interleaved(
    runners: dict[str, Callable[[], Any]],
    *,
    rounds: int = ROUNDS,
    seconds: float = 0.2,
    min_calls: int = 5,
    warmup: int = WARMUP,
    what: dict[str, dict[str, Any]] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Timing]:
    """Time every runner in interleaved rounds.

    Args:
        runners: ``{label: zero-argument callable}`` (one inference each).
        rounds: interleaved rounds.
        seconds: time per runner per round (at least ``min_calls`` calls).
        warmup: untimed calls of each runner first.
        what: per label, what is being timed (inputs and shapes, batch, precision, hint): kept in
            the result so every report can print it.

    Returns:
        ``{label: Timing}``.
    """
    labels = list(runners)
    for label in labels:
        for _ in range(warmup):
            runners[label]()
    medians: dict[str, list[float]] = {label: [] for label in labels}
    every: dict[str, list[float]] = {label: [] for label in labels}
    for r in range(rounds):
        shift = r % len(labels) if labels else 0
        for label in labels[shift:] + labels[:shift]:
            run, times = runners[label], []
            deadline = clock() + seconds
            while clock() < deadline or len(times) < min_calls:
                started = clock()
                run()
                times.append((clock() - started) * 1e3)
            medians[label].append(statistics.median(times))
            every[label].extend(times)
    session = next(_SESSIONS)
    return {
        label: _timing(medians[label], every[label], (what or {}).get(label, {}), session) for label in labels
    }


def ratio_interval(a: Timing, b: Timing) -> tuple[float, float, float]:
    """``(median, low, high)`` of ``a / b`` per round, for two runners timed in the same rounds
    (one :func:`interleaved` call); from the two intervals (``a.low / b.high`` .. ``a.high /
    b.low``) otherwise."""
    if a.session == b.session != 0 and a.rounds == b.rounds >= 3:
        ratios = [x / y for x, y in zip(a.round_ms, b.round_ms, strict=True)]
        low, high = median_interval(ratios)
        return statistics.median(ratios), low, high
    return a.median_ms / b.median_ms, a.low_ms / b.high_ms, a.high_ms / b.low_ms


def faster(a: Timing, b: Timing, by: float = 1.0) -> bool:
    """Whether ``a`` is faster than ``b`` (by at least the factor ``by``) with confidence: the
    whole interval of ``a / b`` lies below ``1 / by``. Overlapping intervals say "not shown"."""
    _, _, high = ratio_interval(a, b)
    return high < 1.0 / by


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU model, logical cores, the cores this process may run
    on, and the load average (1, 5, 15 min)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "affinity": affinity, "load_avg": load}


def pin(cores: list[int] | None) -> None:
    """Run this process on ``cores`` only (a fresh measuring subprocess), where the OS allows it."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cores))


def what_of(inputs: dict[str, Any], compiled: Any = None, **more: Any) -> dict[str, Any]:
    """What a runner times: each input's shape and type, the batch (first input's leading
    dimension), and the compiled model's execution precision and performance hint."""
    shapes = {k: f"{list(getattr(v, 'shape', []))} {getattr(v, 'dtype', '?')}" for k, v in inputs.items()}
    first = next(iter(inputs.values()), None)
    batch = int(first.shape[0]) if getattr(first, "shape", None) else 1
    out: dict[str, Any] = {"inputs": shapes, "batch": batch}
    for key, prop in (("precision", "INFERENCE_PRECISION_HINT"), ("hint", "PERFORMANCE_HINT")):
        try:
            value = compiled.get_property(prop) if compiled is not None else None
            value = value.get_type_name() if hasattr(value, "get_type_name") else value
            out[key] = None if value is None else str(getattr(value, "name", value))
        except Exception:  # a plugin without the property (or AUTO before it picked a device)
            out[key] = None
    return {**out, **more}


def describe(what: dict[str, Any]) -> str:
    """``inputs input=[1, 128, 128, 3] float32, batch 1, precision bf16, hint LATENCY, ...``."""
    parts = []
    inputs = what.get("inputs")
    if inputs:
        parts.append("inputs " + ", ".join(f"{k}={v}" for k, v in inputs.items()))
    for key in ("batch", "precision", "hint", "device", "call"):
        if what.get(key) is not None:
            parts.append(f"{key} {what[key]}")
    return ", ".join(parts) or "(not stated)"
