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
