"""Samples on disk: one ``.npz`` per split, each input stacked along a new leading axis.

Inputs whose shape varies between samples (raw images for an embedded image front-end) are
stored one array per sample, under ``name#index``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: The files the ``calibrate`` stage writes into its entry.
CALIBRATION_FILE = "calibration.npz"  # inputs NNCF collects statistics on
HOLDOUT_FILE = "holdout.npz"  # inputs ``validate`` scores on, never used to calibrate
REFERENCE_FILE = "reference.npz"  # the FP32 model's outputs on the held-out inputs, at f32
_RAGGED = "#"


def save_samples(path: Path, samples: list[dict[str, np.ndarray]]) -> None:
    """Write ``samples`` (all with the same input names) to ``path``."""
    arrays: dict[str, np.ndarray] = {}
    for name in samples[0] if samples else []:
        values = [np.asarray(s[name]) for s in samples]
        if len({v.shape for v in values}) == 1:
            arrays[name] = np.stack(values)
        else:
            arrays.update({f"{name}{_RAGGED}{i}": v for i, v in enumerate(values)})
    np.savez(path, **arrays)


def load_samples(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Read samples written by :func:`save_samples` (no pickles are ever loaded)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if not arrays:
        return []
    columns: dict[str, list[np.ndarray]] = {}
    for key, value in arrays.items():
        name, ragged, index = key.partition(_RAGGED)
        columns.setdefault(name, [])
        if ragged:
            columns[name].append((int(index), value))
        else:
            columns[name] = list(enumerate(value))
    ordered = {name: [v for _, v in sorted(items, key=lambda p: p[0])] for name, items in columns.items()}
    n = min(len(v) for v in ordered.values())
    n = n if limit is None else min(n, limit)
    return [{k: v[i] for k, v in ordered.items()} for i in range(n)]


def calibration_samples(entry: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The calibration inputs the ``calibrate`` stage materialised (empty without one).

    Args:
        entry: the ``calibrate`` stage's cache entry (``ctx.entry(CalibrateResult)``), or None.
        limit: at most this many samples.
    """
    return load_samples(entry.file(CALIBRATION_FILE), limit) if entry is not None else []
