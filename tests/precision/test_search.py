"""The search helper of `precision: auto` on its own."""

from __future__ import annotations

import pytest

from ovbuild.precision.search import interleaved_medians, smallest_passing


@pytest.mark.parametrize("n", [1, 2, 7, 64, 100])
def test_smallest_passing_finds_the_threshold_with_few_distinct_calls(n: int) -> None:
    for threshold in range(1, n + 1):
        calls: list[int] = []

        def fits(k: int, threshold: int = threshold, calls: list[int] = calls) -> bool:
            calls.append(k)
            return k >= threshold

        assert smallest_passing(n, fits) == threshold
        assert len(calls) == len(set(calls))  # never the same k twice
        assert len(calls) <= 2 * max(1, n).bit_length() + 1


def test_smallest_passing_says_none_when_even_all_layers_fail() -> None:
    assert smallest_passing(10, lambda k: False) is None
    assert smallest_passing(0, lambda k: True) is None


def test_interleaved_medians_time_every_runner() -> None:
    calls = {"a": 0, "b": 0}

    def runner(label: str):
        return lambda: calls.__setitem__(label, calls[label] + 1)

    medians = interleaved_medians({"a": runner("a"), "b": runner("b")}, rounds=3, iterations=2)
    assert set(medians) == {"a", "b"} and all(v >= 0 for v in medians.values())
    assert calls == {"a": 7, "b": 7}  # one warm-up call, then 3 rounds of 2


def test_knapsack_restores_what_int8_does_not_speed_up_first_then_by_accuracy_per_ms() -> None:
    from ovbuild.precision.auto import knapsack_order

    gains = {"slow_in_int8": 0.001, "cheap_fix": 0.02, "costly_fix": 0.03, "useless": 0.0}
    saved = {"slow_in_int8": -0.05, "cheap_fix": 0.1, "costly_fix": 1.0, "useless": 0.2}
    order, free = knapsack_order(gains, saved)
    # 0.02/0.1 ms beats 0.03/1.0 ms: the cheap fix is restored before the bigger one
    assert (order, free) == (["slow_in_int8", "cheap_fix", "costly_fix", "useless"], 1)
    assert knapsack_order(gains, None) == (["costly_fix", "cheap_fix", "slow_in_int8", "useless"], 0)
