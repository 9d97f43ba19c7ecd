"""Held-out speech for the ``wer`` gate: the audio files of ``validate.data``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import RecipeError

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def speech_clips(validate: dict[str, Any]) -> list[Path]:
    """Up to ``validate.samples`` audio files of ``validate.data``, in name order.

    Raises:
        RecipeError: no directory, or no audio in it.
    """
    if not validate.get("data"):
        raise RecipeError("validate.data: the wer gate needs a directory of speech clips (wav/flac/ogg/mp3)")
    folder = Path(validate["data"]).expanduser()
    clips = (
        sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES) if folder.is_dir() else []
    )
    if not clips:
        raise RecipeError(f"validate.data: no speech clips (wav/flac/ogg/mp3) in {folder}")
    return clips[: int(validate.get("samples") or 10)]


def speech_clip_problems(recipe: dict[str, Any]) -> list[str]:
    """Preflight: what keeps a ``wer`` gate from running (empty when it can, or is not asked for)."""
    validate = recipe.get("validate") or {}
    if validate.get("metric") != "wer":
        return []
    try:
        speech_clips(validate)
    except RecipeError as exc:
        return [str(exc)]
    return []
