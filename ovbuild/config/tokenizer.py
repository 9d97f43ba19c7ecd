"""Where a recipe's text tokenizer lives: one resolver for the text front-end, calibration and bench."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import StageError


def tokenizer_dir(recipe: dict[str, Any], frontend: dict[str, Any] | None) -> Path:
    """``frontend.tokenizer``, else the hf source directory.

    Raises:
        StageError: neither names a directory.
    """
    raw = (frontend or {}).get("tokenizer") or (
        recipe["source"].get("path") if recipe["source"].get("kind") == "hf" else None
    )
    if not raw:
        raise StageError("frontend.tokenizer: required when the source is not an hf directory")
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise StageError(f"frontend.tokenizer: no such tokenizer directory: {path}")
    return path.resolve()
