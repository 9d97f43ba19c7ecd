"""Samples on disk: one ``.npz`` per split, each input stacked along a new leading axis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


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
