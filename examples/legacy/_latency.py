"""Steady-state latency for the legacy examples: the first ``run_inference`` includes one-time work
(loading the precompiled blob, allocating buffers), so it is shown beside the median of later calls."""

from __future__ import annotations

import statistics
from typing import Any


def report(backend: Any, name: str, data: Any, first: dict, *args: Any, runs: int = 5) -> str:
    """``first call X ms; steady state Y ms (median of N more calls), Z items/s`` for model ``name``."""
    if first.get("status") != "success":
        return f"error: {first.get('error')}"
    later = [backend.run_inference(name, data, *args) for _ in range(runs)]
    times = [r["latency_ms"] for r in later if r.get("status") == "success"]
    rates = [r["throughput_items_per_sec"] for r in later if r.get("status") == "success"]
    if not times:
        return f"first call {first['latency_ms']:.2f} ms; later calls failed: {later[0].get('error')}"
    return (
        f"first call {first['latency_ms']:.2f} ms; steady state {statistics.median(times):.2f} ms "
        f"(median of {len(times)} more calls), {statistics.median(rates):.1f} items/s"
    )
