"""Samples on disk: one ``.npz`` per split, each input stacked along a new leading axis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: The files the ``calibrate`` stage writes into its entry.
CALIBRATION_FILE = "calibration.npz"  # inputs NNCF collects statistics on
HOLDOUT_FILE = "holdout.npz"  # inputs ``validate`` scores on, never used to calibrate
REFERENCE_FILE = "reference.npz"  # the FP32 model's outputs on the held-out inputs, at f32


def save_samples(path: Path, samples: list[dict[str, np.ndarray]]) -> None:
    """Write ``samples`` (all with the same input names and shapes) to ``path``."""
    if not samples:
        np.savez(path)
        return
    np.savez(path, **{name: np.stack([s[name] for s in samples]) for name in samples[0]})


def load_samples(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Read samples written by :func:`save_samples` (no pickles are ever loaded)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if not arrays:
        return []
    n = min(len(v) for v in arrays.values())
    n = n if limit is None else min(n, limit)
    return [{k: v[i] for k, v in arrays.items()} for i in range(n)]


def calibration_samples(ctx: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The calibration inputs the ``calibrate`` stage materialised (empty without one).

    Args:
        ctx: a running stage's context; its ``ancestors['calibrate']`` entry holds the data.
        limit: at most this many samples.
    """
    entry = ctx.ancestors.get("calibrate")
    return load_samples(entry.file(CALIBRATION_FILE), limit) if entry is not None else []
