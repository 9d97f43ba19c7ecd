"""The search helpers of ``precision: auto``, free of OpenVINO so they are tested on their own."""

from __future__ import annotations

from collections.abc import Callable


def smallest_passing(n: int, fits: Callable[[int], bool], start: int = 1) -> int | None:
    """The smallest ``k`` in ``[start, n]`` with ``fits(k)``, for a ``fits`` that stays true once
    true (more layers in float never hurts); ``None`` when even ``fits(n)`` is false.

    Doubling finds a passing ``k`` in ``log2(n)`` calls, bisection then narrows it; ``fits`` is
    never called twice with the same ``k``.
    """
    seen: dict[int, bool] = {}

    def ok(k: int) -> bool:
        if k not in seen:
            seen[k] = fits(k)
        return seen[k]

    if n < start:
        return None
    k, last_bad = start, start - 1
    while k < n and not ok(k):
        last_bad, k = k, min(2 * k, n)
    if not ok(k):
        return None
    lo, hi = last_bad, k  # fits(hi) holds, fits(lo) does not (or lo is below start)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def interleaved_medians(
    runners: dict[str, Callable[[], object]], rounds: int = 5, iterations: int = 5
) -> dict[str, float]:
    """Median wall time (ms) of each runner, from :func:`ovbuild.runtime.timing.interleaved`
    (interleaved rounds of ``iterations`` calls, after one warm-up call); for the interval and
    :func:`~ovbuild.runtime.timing.faster`, call that module directly."""
    from ovbuild.runtime.timing import interleaved

    timings = interleaved(runners, rounds=rounds, seconds=0.0, min_calls=iterations, warmup=1)
    return {label: t.median_ms for label, t in timings.items()}
