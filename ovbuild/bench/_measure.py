"""Timing loops: one compiled model (latency / throughput) or any callable.

Latency is timed by :mod:`ovbuild.runtime.timing` (rounds, the median with its confidence
interval), as everywhere else in ovbuild; throughput keeps requests busy for ``seconds``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

MODES = ("latency", "throughput")


def _stats(latencies_ms: list[float], count: int, elapsed_s: float, batch: int) -> dict[str, Any]:
    lat = sorted(latencies_ms)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, max(0, round(q * (len(lat) - 1))))]

    per_s = count / elapsed_s if elapsed_s > 0 else 0.0
    return {
        "count": count,
        "seconds": round(elapsed_s, 4),
        "median_ms": statistics.median(lat),
        "mean_ms": statistics.fmean(lat),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "min_ms": lat[0],
        "throughput": per_s,  # inferences per second
        "items_per_s": per_s * batch,
        "batch": batch,
    }


_BAR = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}"


class _Progress:
    """A time-driven tqdm bar, updated at most every 0.1 s so it costs nothing per inference."""

    def __init__(self, seconds: float, desc: str, enabled: bool) -> None:
        self.bar = None
        self.ticks = max(1, round(seconds * 10))  # integer tenths of a second: no float drift
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.ticks, desc=desc, bar_format=_BAR, leave=False, file=sys.stderr)
        self.shown = 0

    def update(self, elapsed: float) -> None:
        if self.bar is not None:
            tick = min(self.ticks, int(elapsed * 10))
            if tick > self.shown:
                self.bar.update(tick - self.shown)
                self.shown = tick

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def timing_stats(timing: Any, batch: int) -> dict[str, Any]:
    """A :class:`~ovbuild.runtime.timing.Timing` in this module's statistics (plus its interval,
    rounds and what was timed)."""
    per_s = 1e3 / timing.median_ms if timing.median_ms > 0 else 0.0
    return {
        "count": timing.calls,
        "seconds": round(timing.seconds, 4),
        "median_ms": timing.median_ms,
        "low_ms": timing.low_ms,
        "high_ms": timing.high_ms,
        "rounds": timing.rounds,
        "mean_ms": timing.mean_ms,
        "p90_ms": timing.p90_ms,
        "p99_ms": timing.p99_ms,
        "min_ms": timing.min_ms,
        "throughput": per_s,  # one request after another
        "items_per_s": per_s * batch,
        "batch": batch,
        "what": timing.what,
    }


def time_latency(run: Callable[[], Any], seconds: float, warmup: int, what: dict | None = None) -> Any:
    """:func:`ovbuild.runtime.timing.interleaved` for one runner over about ``seconds``."""
    from ovbuild.runtime.timing import ROUNDS, interleaved

    per_round = max(seconds / ROUNDS, 0.01)
    return interleaved({"one": run}, seconds=per_round, warmup=warmup, what={"one": what or {}})["one"]


def _batch_of(inputs: dict) -> int:
    for arr in inputs.values():
        shape = getattr(arr, "shape", ())
        if len(shape) > 0:
            return int(shape[0])
    return 1


def bench_compiled(
    compiled: Any,
    inputs: dict,
    *,
    seconds: float = 5.0,
    warmup: int = 10,
    mode: str = "latency",
    progress: bool = True,
    desc: str | None = None,
) -> dict[str, Any]:
    """Measure a compiled OpenVINO model.

    Args:
        compiled: an ``openvino.CompiledModel``.
        inputs: NumPy arrays by input name (set once, as ``benchmark_app`` does).
        seconds: measuring time after warm-up.
        warmup: inferences before measuring.
        mode: ``"latency"`` (one synchronous request) or ``"throughput"`` (an ``AsyncInferQueue`` with
            one request per ``OPTIMAL_NUMBER_OF_INFER_REQUESTS``).

    Returns:
        ``count, seconds, median_ms, mean_ms, p90_ms, p99_ms, min_ms, throughput`` (inferences/s),
        ``items_per_s``, ``batch``, ``mode``, ``requests``.

    >>> r = bench_compiled(compiled, {"x": x}, seconds=0.5)  # doctest: +SKIP
    """
    import openvino as ov

    if mode not in MODES:
        raise ValueError(f"bench mode {mode!r} is not one of {', '.join(MODES)}")
    tensors = {name: ov.Tensor(arr) for name, arr in inputs.items()}
    if mode == "latency":
        from ovbuild.runtime.timing import what_of

        req = compiled.create_infer_request()
        for name, t in tensors.items():
            req.set_tensor(name, t)
        timing = time_latency(req.infer, seconds, warmup, what_of(inputs, compiled))
        return {**timing_stats(timing, _batch_of(inputs)), "mode": mode, "requests": 1}
    bar = _Progress(seconds, desc or f"bench {mode}", progress)
    try:
        requests = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        latencies, elapsed = _run_async(compiled, tensors, requests, seconds, warmup, bar)
    finally:
        bar.close()
    if not latencies:
        raise RuntimeError("bench: no inference finished; raise `seconds`")
    out = _stats(latencies, len(latencies), elapsed, _batch_of(inputs))
    out.update(mode=mode, requests=requests)
    return out


def _run_async(
    compiled: Any, tensors: dict, requests: int, seconds: float, warmup: int, bar: Any
) -> tuple[list[float], float]:
    """``requests`` requests kept busy, each restarted as soon as it finishes: latencies (ms) and
    elapsed time.

    No ``AsyncInferQueue`` callback: a Python callback runs on an OpenVINO stream thread, which
    then needs the GIL, and a compiled model destroyed while such a thread waits for it deadlocks
    (the destructor joins the thread with the GIL held). Requests are restarted from this thread.
    """
    reqs = [compiled.create_infer_request() for _ in range(max(1, requests))]
    for req in reqs:
        for name, t in tensors.items():
            req.set_tensor(name, t)
    try:
        for _ in range(max(1, -(-warmup // len(reqs)))):
            for req in reqs:
                req.start_async()
            for req in reqs:
                req.wait()
        latencies: list[float] = []
        start = now = time.perf_counter()
        for req in reqs:
            req.start_async()
        turn = 0
        while now < start + seconds:
            req = reqs[turn]
            req.wait()
            latencies.append(req.latency)
            req.start_async()
            turn = (turn + 1) % len(reqs)
            now = time.perf_counter()
            bar.update(now - start)
        for req in reqs:
            req.wait()
            latencies.append(req.latency)
        return latencies, time.perf_counter() - start
    finally:
        for req in reqs:
            req.wait()
        del reqs


def bench_callable(
    fn: Callable[[], Any],
    *,
    seconds: float = 5.0,
    warmup: int = 5,
    batch: int = 1,
    progress: bool = True,
    desc: str = "bench",
) -> dict[str, Any]:
    """Latency of any zero-argument callable (PyTorch eager, a loader's ``__call__``), same statistics."""
    timing = time_latency(fn, seconds, warmup, {"batch": batch, "call": desc})
    return {**timing_stats(timing, batch), "mode": "latency", "requests": 1}
