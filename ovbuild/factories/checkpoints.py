"""Reading a checkpoint a recipe names: plain weights only, never pickled code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError


def load_weights(path: str | Path, what: str) -> Any:
    """``torch.load(path, weights_only=True)``; anything unreadable that way is a ``SourceError``
    naming ``source.args.weights``, ``what`` and the file.

    >>> load_weights("tiny.pth", "CREPE checkpoint")  # doctest: +SKIP
    """
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)  # data, never code
    except Exception as exc:  # noqa: BLE001 - any unreadable checkpoint is a source error
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(
            f"source.args.weights: cannot read the {what} {path} as plain weights "
            f"(torch.load weights_only=True; ovbuild never unpickles code): {reason}"
        ) from exc
