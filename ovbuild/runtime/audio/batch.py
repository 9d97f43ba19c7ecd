"""Fit decoded audio to a waveform-input model: pad or chunk, and prepare many items at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .config import AudioChannelsError, AudioError, audio_config, describe
from .decode import audio_decode, audio_to_mono


def audio_pad_or_chunk(x: np.ndarray, num_samples: int, mode: str = "pad") -> np.ndarray:
    """Fit mono audio to the model's fixed length.

    Args:
        x: 1-D samples.
        num_samples: the model's waveform length.
        mode: ``"pad"`` zero-pads (and trims longer audio) to one row; ``"chunk"`` splits into
            consecutive rows, the last zero-padded.

    Returns:
        float32 ``[rows, num_samples]`` (one row for ``pad``).

    Raises:
        AudioError: unknown mode, non-positive ``num_samples`` or non-1-D input.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 1:
        raise AudioChannelsError(f"audio_pad_or_chunk needs 1-D mono samples, got shape {x.shape}")
    if num_samples <= 0:
        raise AudioError(f"num_samples must be positive, got {num_samples}")
    if mode == "pad":
        out = np.zeros((1, num_samples), np.float32)
        out[0, : min(len(x), num_samples)] = x[:num_samples]
        return out
    if mode == "chunk":
        rows = max(1, -(-len(x) // num_samples))
        out = np.zeros((rows * num_samples,), np.float32)
        out[: len(x)] = x
        return out.reshape(rows, num_samples)
    raise AudioError(f"unknown pad_or_chunk mode {mode!r} (pad | chunk)")


def audio_item_rows(
    items: Iterable[Any], cfg: Mapping[str, Any] | Any, num_samples: int, *, on_error: str = "raise"
) -> Iterator[tuple[int, np.ndarray | None, str | None]]:
    """Decode, mix down, resample and pad/chunk items one at a time (memory: one item at a time).

    Args:
        items: anything ``audio_decode`` accepts; a generator is consumed lazily.
        cfg: ``AudioFrontend`` fields (``sample_rate``, ``mono``, ``mixdown``, ``pad_or_chunk``).
        num_samples: the model's waveform length.
        on_error: ``"raise"`` re-raises a bad item's error; ``"skip"`` yields it as a message, so
            the other items still run.

    Yields:
        ``(index, rows [n, num_samples] float32, None)`` or, for a skipped item, ``(index, None, message)``.

    Raises:
        AudioError or OSError (a directory, a missing or unreadable file): a bad item with
            ``on_error="raise"``; the message names the item and its position.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    c = audio_config(cfg)
    for i, item in enumerate(items):
        what = f"item {i} ({describe(item)})"
        try:
            x, _ = audio_decode(item, int(c["sample_rate"]), name=what)
            if c["mono"]:
                x = audio_to_mono(x, mixdown=bool(c["mixdown"]), name=f"item {i}")
            rows = audio_pad_or_chunk(x, num_samples, c["pad_or_chunk"])
        except AudioError as exc:
            if on_error == "raise":
                raise
            yield i, None, str(exc)
        except OSError as exc:  # unreadable path, permission denied, vanished file
            if on_error == "raise":
                raise
            yield i, None, f"audio {what}: {type(exc).__name__}: {exc.strerror or exc}"
        else:
            yield i, rows, None


def audio_prepare_batch(
    items: list[Any], cfg: Mapping[str, Any] | Any, num_samples: int, *, on_error: str = "raise"
) -> tuple[np.ndarray, list[int], dict[int, str]]:
    """All of ``items`` as one array: ``audio_item_rows`` collected (use that for long jobs).

    Returns:
        ``(waveforms [rows, num_samples] float32, item index of each row, {item index: error})``.
    """
    rows: list[np.ndarray] = []
    owner: list[int] = []
    failed: dict[int, str] = {}
    for i, chunks, error in audio_item_rows(items, cfg, num_samples, on_error=on_error):
        if error is not None:
            failed[i] = error
            continue
        rows.extend(chunks)
        owner.extend([i] * len(chunks))
    out = np.stack(rows) if rows else np.zeros((0, num_samples), np.float32)
    return out, owner, failed
