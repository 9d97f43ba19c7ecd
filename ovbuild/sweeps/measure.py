"""Latency of every variant of a sweep, measured together in interleaved rounds.

All variants are loaded first, then timed round after round, each round running every variant
for ``seconds`` in an order rotated by one per round: a load spike on a shared machine then hits
every variant alike instead of whichever ran during it. A variant's latency is the median over
rounds of its per-round median (``median_ms``) with its 95% confidence interval (``low_ms`` ..
``high_ms``), by :mod:`ovbuild.runtime.timing`. Built artifacts run through their own generated
loader, called on ``model.example_inputs()`` exactly as ``ovbuild bench`` and ``python loader.py
--bench`` call them; a candidate that missed its gate is compiled from its IR in the stage cache.
Measurement happens after every job has finished.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest

log = logging.getLogger("ovbuild.sweeps")


def recorded_bench(metrics: dict[str, Any]) -> dict[str, float] | None:
    """``{"median_ms", "p90_ms"}`` from ``bench`` of a manifest's ``metrics``, if it holds one.

    ``ovbuild bench --write`` and the loader's ``bench()`` record slightly different shapes;
    both are accepted. Sweep reports do not use these (they are measured another way, at
    another time); ``ovbuild show`` does.
    """
    bench = metrics.get("bench")
    if not isinstance(bench, dict):
        return None
    for candidate in (
        bench,
        bench.get("latency"),
        ((bench.get("results") or {}).get("artifact") or {}).get("latency"),
    ):
        if isinstance(candidate, dict) and "median_ms" in candidate:
            return {"median_ms": float(candidate["median_ms"]), "p90_ms": float(candidate.get("p90_ms", 0.0))}
    return None


def measure_interleaved(
    paths: dict[str, str | Path], *, rounds: int = 9, seconds: float = 0.2
) -> dict[str, dict[str, Any]]:
    """Latency of every ``{label: directory}``, interleaved, ``seconds`` per variant per round
    (:func:`ovbuild.bench.timed.time_artifacts`: what ``ovbuild bench`` and the loader time)."""
    from ovbuild.bench.timed import time_artifacts

    return time_artifacts(paths, rounds=rounds, seconds=seconds * rounds)


def measure(path: str | Path, seconds: float) -> dict[str, Any]:
    """One variant alone: ``{"median_ms", "low_ms", "high_ms", "p90_ms", ...}`` or ``{"error"}``."""
    path = Path(path)
    if (path / "manifest.json").exists():
        try:
            Manifest.read(path)
        except ArtifactIntegrityError as exc:
            return {"error": str(exc)}
    return measure_interleaved({"one": path}, seconds=seconds / 9)["one"]
