"""What ``precision: auto`` says while it searches: one progress line per phase, and the
per-layer table that shows why no map was published."""

from __future__ import annotations

import time

from ovbuild.precision.scoring import Scorer


def progress(scorer: Scorer, phase: str) -> None:
    """One line per phase of the search, on the console (NNCF's own lines are silenced)."""
    from tqdm import tqdm

    tqdm.write(f"auto [{time.perf_counter() - scorer.started:6.1f}s] {phase}")


def per_layer_table(search: dict) -> str:
    """The per-layer numbers that show why no map was published (time from the counters,
    accuracy won back by restoring the layer from the sensitivity ranking)."""
    from ovbuild.precision.profile import table

    if not search.get("layers"):
        return "  (no per-layer counters: INT8 met the budget, or timing is off)"
    return table(search["layers"], dict(search.get("sensitivity") or []))
