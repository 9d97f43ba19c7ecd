"""Latency of each variant, measured with the artifact's own generated loader.

Measurements run one after another in the process that writes the report, after every job has
finished, so variants never compete for the cores while they are timed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("ovbuild.sweeps")


def recorded_bench(manifest: dict[str, Any]) -> dict[str, float] | None:
    """``{"median_ms", "p90_ms"}`` from ``metrics.bench`` of a manifest, if it holds one.

    ``ovbuild bench --write`` and the loader's ``bench()`` record slightly different shapes;
    both are accepted.
    """
    bench = (manifest.get("metrics") or {}).get("bench")
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


def measure(path: str | Path, seconds: float) -> dict[str, Any]:
    """Latency of the artifact at ``path``: recorded in its manifest, else measured now.

    Args:
        path: the artifact version directory.
        seconds: how long to run the loader's benchmark when the manifest has no numbers.

    Returns:
        ``{"median_ms", "p90_ms", "source": "manifest"|"loader"}`` or ``{"error": reason}``
        (an artifact that cannot be loaded here must not stop the report).
    """
    from ovbuild.runtime import import_loader

    path = Path(path)
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        return {"error": f"cannot read {path / 'manifest.json'}: {exc}"}
    recorded = recorded_bench(manifest)
    if recorded is not None:
        return {**recorded, "source": "manifest"}
    try:
        model = import_loader(path).load()
        stats = model.bench(seconds)
    except Exception as exc:  # a broken artifact is reported, the others are still measured
        log.warning("cannot benchmark %s: %s", path, exc)
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"median_ms": stats["median_ms"], "p90_ms": stats["p90_ms"], "source": "loader"}
