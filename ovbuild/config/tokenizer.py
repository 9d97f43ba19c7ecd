"""Where a recipe's text tokenizer lives: one resolver for the text front-end, calibration and bench."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.sections import source_of
from ovbuild.errors import StageError


def tokenizer_source(recipe: dict[str, Any]) -> str | None:
    """Where the recipe's tokenizer is: ``frontend.tokenizer``, else the hf source directory, else
    ``None``. Stages that tokenize carry this in their config (so it is in their cache key)."""
    raw = (recipe.get("frontend") or {}).get("tokenizer")
    source = recipe.get("source") or {}
    kind = source_of(source)
    if not raw and kind is not None:
        raw = kind.huggingface_dir(source)
    return str(raw) if raw else None


def tokenizer_dir(raw: str | None) -> Path:
    """The tokenizer directory :func:`tokenizer_source` named, checked.

    Raises:
        StageError: it names no directory.
    """
    if not raw:
        raise StageError("frontend.tokenizer: required when the source is not an hf directory")
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise StageError(f"frontend.tokenizer: no such tokenizer directory: {path}")
    return path.resolve()
