"""The Pareto front of sweep variants: lower latency and better accuracy, neither dominated."""

from __future__ import annotations

from typing import Any

from ovbuild.metrics.registry import higher_is_better

__all__ = ["front", "higher_is_better"]


def front(points: list[dict[str, Any]], metric: str | None) -> list[int]:
    """Indices of the points not dominated in (latency_ms low, accuracy good).

    Args:
        points: dicts with ``latency_ms`` and ``accuracy`` (None when unknown: such a point is
            never on the front). Without any accuracy, the front is on latency and ``size_bytes``.
        metric: the accuracy metric's name; its direction comes from the metric registry (a
            per-check name such as ``cosine[scores]`` or ``cosine.worst`` counts as its metric).

    Returns:
        Indices into ``points``, ordered by latency.

    >>> front([{"latency_ms": 1, "accuracy": 0.9}, {"latency_ms": 2, "accuracy": 0.99},
    ...        {"latency_ms": 3, "accuracy": 0.95}], "cosine")
    [0, 1]
    """
    use_accuracy = any(p.get("accuracy") is not None for p in points)
    sign = 1.0 if higher_is_better(metric) else -1.0

    def objectives(p: dict[str, Any]) -> tuple[float, float] | None:
        if p.get("latency_ms") is None:
            return None
        if use_accuracy:
            return None if p.get("accuracy") is None else (p["latency_ms"], -sign * p["accuracy"])
        return None if p.get("size_bytes") is None else (p["latency_ms"], float(p["size_bytes"]))

    scored = [(i, objectives(p)) for i, p in enumerate(points)]
    scored = [(i, o) for i, o in scored if o is not None]
    kept = []
    for i, a in scored:
        dominated = any(b[0] <= a[0] and b[1] <= a[1] and b != a for _, b in scored)
        if not dominated:
            kept.append(i)
    return sorted(kept, key=lambda i: points[i]["latency_ms"])
