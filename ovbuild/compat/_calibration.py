"""Legacy ``calibration_data`` / ``calibration_samples`` -> a recipe ``calibration`` section.

The old API took calibration samples inline. They become a content-addressed file in the store
(an ``.npz`` of input arrays, one sample per leading index, or a text file of sentences), so the
recipe can name it and its digest enters the cache key. The bytes are returned, not written:
the caller writes them once the whole recipe has validated.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from ovbuild.compat._checker import Checker, kind_of

_QUANTIZED = ("int8",)  # precisions that need calibration statistics (weight-only ones do not)


def _npz_bytes(samples: list[dict[str, Any]], c: Checker) -> bytes | None:
    """Stack a list of input dicts into one ``.npz`` (one sample per leading index)."""
    import numpy as np

    keys = list(samples[0])
    stacked: dict[str, list[Any]] = {k: [] for k in keys}
    for i, item in enumerate(samples):
        if set(item) != set(keys):
            c.problems.append(
                f"calibration_data[{i}]: inputs {sorted(item)} differ from item 0's {sorted(keys)}"
            )
            return None
        for k in keys:
            arr = np.asarray(item[k])
            if arr.dtype == object:
                c.problems.append(f"calibration_data[{i}].{k}: not a numeric array")
                return None
            if stacked[k] and arr.shape != stacked[k][0].shape:
                c.problems.append(
                    f"calibration_data[{i}].{k}: shape {list(arr.shape)} differs from item 0's "
                    f"{list(stacked[k][0].shape)} (pad samples to one shape)"
                )
                return None
            stacked[k].append(arr)
    buf = io.BytesIO()
    np.savez(buf, **{k: np.stack(v) for k, v in stacked.items()})
    return buf.getvalue()


def calibration(
    c: Checker, precision: dict[str, Any], store_root: Path, pending: dict[Path, bytes], warnings: list[str]
) -> dict[str, Any] | None:
    """The recipe's ``calibration`` section, or ``None`` when nothing is quantized to INT8.

    Args:
        c: the checker over the legacy dict (problems are added to it).
        precision: the translated ``precision`` section.
        store_root: the store; files go to ``<store>/compat/calibration/<sha256>.<ext>``.
        pending: receives ``{path: bytes}`` to write once the recipe is valid.
        warnings: receives what the user should know (synthetic calibration, ignored data).
    """
    data = c.get("calibration_data", (list, tuple), "a list of input dicts")
    samples = c.get("calibration_samples", (int,), "a positive integer")
    if samples is not None and samples <= 0:
        c.problems.append(f"calibration_samples: must be positive, got {samples}")
        samples = None
    wanted = {precision["default"], *(r["precision"] for r in precision["rules"])}
    if not wanted & set(_QUANTIZED):
        if data is not None:
            warnings.append("calibration_data ignored: nothing is quantized to INT8 (precision is not INT8)")
        return None
    if not data:
        warnings.append(
            "INT8 without calibration_data: calibrating on synthetic inputs, which only suits smoke "
            "tests; pass calibration_data (a list of input dicts) for a usable model"
        )
        return {"kind": "synthetic", "samples": samples or 16, "holdout": 0}
    if all(isinstance(d, str) for d in data):
        blob = ("\n".join(d.replace("\n", " ") for d in data) + "\n").encode()
        kind, suffix = "text_lines", ".txt"
    elif all(isinstance(d, dict) for d in data):
        blob = _npz_bytes(list(data), c)
        kind, suffix = "npz", ".npz"
    else:
        bad = next(i for i, d in enumerate(data) if not isinstance(d, (dict, str)))
        c.problems.append(
            f"calibration_data[{bad}]: expected a dict of input arrays, got {kind_of(data[bad])}"
        )
        return None
    if blob is None:
        return None
    path = store_root / "compat" / "calibration" / f"{hashlib.sha256(blob).hexdigest()}{suffix}"
    pending[path] = blob
    # The old API calibrated on every sample it was given and validated nothing: no holdout.
    return {"kind": kind, "path": str(path), "samples": min(samples or len(data), len(data)), "holdout": 0}
