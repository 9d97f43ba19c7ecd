"""The shared timing module: intervals of the median, interleaved rounds, and `faster` saying
"faster" only when the intervals do (pure logic: no OpenVINO, no wall-clock dependence)."""

from __future__ import annotations

import itertools

import pytest

from ovbuild.runtime.timing import Timing, describe, faster, interleaved, machine, median_interval


def test_the_median_interval_is_the_binomial_order_statistics() -> None:
    values = [float(v) for v in range(1, 10)]  # 9 values: 2nd smallest to 2nd largest, 96.1%
    assert median_interval(values) == (2.0, 8.0)
    assert median_interval(values[:5]) == (1.0, 5.0)  # too few for 95%: the full range
    many = [float(v) for v in range(1, 101)]
    low, high = median_interval(many)
    assert 39 <= low < 50 < high <= 62


def _timing(rounds: list[float], session: int = 1) -> Timing:
    low, high = median_interval(rounds)
    return Timing(sorted(rounds)[len(rounds) // 2], low, high, rounds, len(rounds), max(rounds), {}, session)


def test_faster_needs_the_whole_interval_below_one() -> None:
    base = [10.0, 10.4, 9.8, 10.1, 10.0, 9.9, 10.2, 10.3, 10.0]
    slower_by_6_percent = [v * 1.06 for v in base]
    noisy = [v * f for v, f in zip(base, [0.9, 1.1, 1.2, 0.85, 1.0, 1.15, 0.95, 1.05, 0.8], strict=True)]
    assert faster(_timing(base), _timing(slower_by_6_percent))  # the same rounds: paired ratios
    assert not faster(_timing(slower_by_6_percent), _timing(base))
    assert not faster(_timing(base), _timing(noisy)) and not faster(_timing(noisy), _timing(base))
    assert not faster(_timing(base), _timing(slower_by_6_percent), by=1.1)  # 6% is not 10%
    # 1% slower in every round of the same run is shown by the paired ratios; timed in different
    # runs the rounds do not pair, and the two intervals overlap: not shown.
    one_percent = [v * 1.01 for v in base]
    assert faster(_timing(base, 1), _timing(one_percent, 1))
    assert not faster(_timing(base, 1), _timing(one_percent, 2))
    assert faster(_timing(base, 1), _timing(slower_by_6_percent, 2))  # intervals apart


def test_interleaved_rotates_the_order_and_keeps_what_was_timed() -> None:
    ticks = itertools.count()
    calls: list[str] = []
    clock = lambda: next(ticks) / 1000.0  # noqa: E731  (every reading is 1 ms later)
    runners = {name: (lambda name=name: calls.append(name)) for name in ("a", "b", "c")}
    what = {"a": {"inputs": {"x": [1, 3]}, "batch": 1, "hint": "LATENCY"}}
    result = interleaved(runners, rounds=3, seconds=0.0, min_calls=1, warmup=0, what=what, clock=clock)
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert result["a"].median_ms == pytest.approx(1.0) and result["a"].rounds == 3
    assert describe(result["a"].what) == "inputs x=[1, 3], batch 1, hint LATENCY"
    assert set(machine()) == {"cpu", "cores", "affinity", "load_avg"}
