"""End-to-end benchmark on real inputs: strings, audio files or images in, outputs out.

Every runner gets the same items in the same batches (longest sentences first for text, as
sentence-transformers batches them) and returns its outputs in input order plus one latency per
batch. Runners are measured in interleaved rounds, so a loaded machine slows them alike; a
round is the whole data set at one batch size.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import OvbuildError

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")

# A runner takes the items and the batches (index lists) and returns (outputs in input order or
# None, per-batch latencies in ms).
Runner = Callable[[Sequence[Any], list[list[int]]], tuple[np.ndarray | None, list[float]]]


def read_data(path: str | Path) -> tuple[str, list[Any]]:
    """``("text", lines)`` for a text file, ``("audio"|"image", files)`` for a file or directory.

    Raises:
        OvbuildError: the path is missing, empty or holds nothing usable.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise OvbuildError(f"--data: {root} does not exist")
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    audio = [p for p in files if p.suffix.lower() in AUDIO_SUFFIXES]
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    if audio or images:
        return ("audio", audio) if len(audio) >= len(images) else ("image", images)
    if root.is_file():
        try:
            lines = [line.strip() for line in root.read_text(encoding="utf-8").splitlines()]
        except UnicodeDecodeError as exc:
            raise OvbuildError(f"--data: {root} is not text, audio or an image") from exc
        lines = [line for line in lines if line]
        if lines:
            return "text", lines
    raise OvbuildError(
        f"--data: no usable items in {root} (a text file, or {', '.join(AUDIO_SUFFIXES + IMAGE_SUFFIXES)})"
    )


def make_batches(kind: str, items: Sequence[Any], batch_size: int) -> list[list[int]]:
    """Index batches: text longest first (padding to the longest then wastes little), else in order."""
    if batch_size < 1:
        raise OvbuildError(f"--batch-size: must be >= 1, got {batch_size}")
    order = list(range(len(items)))
    if kind == "text" and batch_size > 1:
        order.sort(key=lambda i: -len(items[i]))
    return [order[k : k + batch_size] for k in range(0, len(order), batch_size)]


def collect(batches: list[list[int]], outputs: list[np.ndarray]) -> np.ndarray:
    """Per-batch output arrays back into input order."""
    order = np.concatenate([np.asarray(b) for b in batches])
    stacked = np.concatenate(outputs)
    result = np.empty_like(stacked)
    result[order] = stacked
    return result


def timed_batches(run: Callable[[list[Any]], np.ndarray | None]) -> Runner:
    """A :data:`Runner` from a function of one batch of items."""

    def runner(items: Sequence[Any], batches: list[list[int]]) -> tuple[np.ndarray | None, list[float]]:
        outputs, latencies = [], []
        for batch in batches:
            started = time.perf_counter()
            out = run([items[i] for i in batch])
            latencies.append((time.perf_counter() - started) * 1000)
            outputs.append(out)
        if any(o is None for o in outputs):
            return None, latencies
        return collect(batches, outputs), latencies

    return runner


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def summarize(rounds_s: list[float], latencies_ms: list[float], items: int, batch_size: int) -> dict:
    """Items/s per round (median, IQR, and the median's confidence interval from
    :func:`ovbuild.runtime.timing.median_interval`) and per-batch latency percentiles."""
    from ovbuild.runtime.timing import median_interval

    rates = [items / s for s in rounds_s]
    low, high = median_interval(rates)
    return {
        "batch_size": batch_size,
        "items": items,
        "rounds": len(rounds_s),
        "items_per_s": statistics.median(rates),
        "items_per_s_iqr": _percentile(rates, 75) - _percentile(rates, 25),
        "items_per_s_low": low,
        "items_per_s_high": high,
        "latency_p50_ms": _percentile(latencies_ms, 50),
        "latency_p90_ms": _percentile(latencies_ms, 90),
        "latency_p99_ms": _percentile(latencies_ms, 99),
        "per_item_ms": statistics.median(rounds_s) * 1000 / items,
    }


def measure_interleaved(
    runners: dict[str, Runner],
    items: Sequence[Any],
    batches: list[list[int]],
    *,
    rounds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, dict], dict[str, np.ndarray | None], dict[str, str]]:
    """One warm-up pass each, then ``rounds`` rounds; each round runs every runner once, in an
    order rotated by one per round. Returns (stats, outputs of the warm-up, errors)."""
    outputs: dict[str, np.ndarray | None] = {}
    errors: dict[str, str] = {}
    for name, runner in list(runners.items()):
        try:
            outputs[name], _ = runner(items, batches)
        except Exception as exc:  # a baseline that cannot run must not hide the others
            errors[name] = f"{type(exc).__name__}: {exc}"
    names = [n for n in runners if n not in errors]
    seconds: dict[str, list[float]] = {n: [] for n in names}
    latencies: dict[str, list[float]] = {n: [] for n in names}
    batch_size = max(len(b) for b in batches)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)] if names else []:
            started = time.perf_counter()
            _, lat = runners[name](items, batches)
            seconds[name].append(time.perf_counter() - started)
            latencies[name].extend(lat)
            if progress:
                progress(f"round {r + 1}/{rounds} {name}: {len(items) / seconds[name][-1]:.1f} items/s")
    stats = {n: summarize(seconds[n], latencies[n], len(items), batch_size) for n in names}
    return stats, outputs, errors


def machine() -> dict[str, Any]:
    """CPU model, core count, this process's cores and load average, recorded beside every figure
    (:func:`ovbuild.runtime.timing.machine`)."""
    from ovbuild.runtime.timing import machine as host

    return host()
