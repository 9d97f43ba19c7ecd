"""Smoke-test inputs and a latency loop, for ``python loader.py --bench`` and ``Model.bench``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np


def example_inputs(specs: list[dict[str, Any]], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs of the recorded shapes and types (a manifest's ``inputs``); dynamic dims are 1."""
    rng = np.random.default_rng(seed)
    out = {}
    for spec in specs:
        shape = [d if d > 0 else 1 for d in (spec["shape"] or [])]
        dtype = np.dtype(spec["numpy_type"])
        if dtype.kind == "f":
            out[spec["name"]] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            out[spec["name"]] = np.full(shape, spec.get("example_value", 1), dtype)
        else:
            out[spec["name"]] = np.zeros(shape, dtype)
    return out


def latency(run: Callable[[], Any], seconds: float) -> dict[str, float]:
    """Median and p90 ms of ``run()`` over ``seconds`` (at least 10 runs, after 3 warm-ups)."""
    for _ in range(3):
        run()
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 10:
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times_arr = np.array(times)
    return {
        "median_ms": float(np.median(times_arr)),
        "p90_ms": float(np.percentile(times_arr, 90)),
        "throughput_per_s": float(1000 / np.median(times_arr)),
        "iterations": len(times),
    }
