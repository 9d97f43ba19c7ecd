"""Audio settings and the checks every audio module shares: defaults, errors, sample checks.

``DEFAULTS`` mirrors ``ovbuild.config.schema.AudioFrontend`` (the artifact cannot import ovbuild);
``tests/runtime/test_audio_config.py`` asserts the two agree.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

AUDIO_FEATURES = ("log_mel", "mfcc", "whisper_log_mel", "mel", "raw")

DEFAULTS: dict[str, Any] = {
    "sample_rate": 16000,
    "features": "log_mel",
    "n_fft": 400,
    "win_length": None,
    "hop_length": 160,
    "n_mels": 40,
    "n_mfcc": 13,
    "fmin": 0.0,
    "fmax": None,
    "power": 2.0,
    "normalize": False,
    "center": True,
    "pad_mode": "constant",
    "top_db": 80.0,
    "layout": "mels_frames",
    "chunk_seconds": 30.0,
    "whisper_pad": "audio",
    "mono": True,
    "mixdown": True,
    "pad_or_chunk": "pad",
}

# Keys whose ``None`` is a meaningful value rather than "use the default".
_NULLABLE = ("fmax", "win_length", "top_db", "input_name")


class AudioError(ValueError):
    """Bad audio input; the message names the offending item."""


class AudioDecodeError(AudioError):
    """A file or byte string is not decodable audio (corrupt, truncated, unknown format)."""


class AudioEmptyError(AudioError):
    """The audio holds no samples."""


class AudioSampleRateError(AudioError):
    """The sample rate is missing, zero, negative or not finite."""


class AudioNaNError(AudioError):
    """The samples contain NaN or infinity."""


class AudioChannelsError(AudioError):
    """Multichannel audio where mono is required and mixdown is disabled."""


def audio_config(cfg: Mapping[str, Any] | Any | None) -> dict[str, Any]:
    """``cfg`` (``AudioFrontend`` fields, a mapping or a dataclass; missing keys take the defaults)
    as a full dict.

    Raises:
        AudioError: an unknown feature kind.
    """
    out = dict(DEFAULTS)
    if dataclasses.is_dataclass(cfg) and not isinstance(cfg, type):
        cfg = dataclasses.asdict(cfg)
    for key, value in (cfg or {}).items():
        if value is not None or key in _NULLABLE:
            out[key] = value
    if out["features"] not in AUDIO_FEATURES:
        raise AudioError(f"unknown audio features {out['features']!r}; expected one of {AUDIO_FEATURES}")
    if out["whisper_pad"] not in ("audio", "features"):
        raise AudioError(f"unknown whisper_pad {out['whisper_pad']!r}; expected audio | features")
    return out


def try_import(name: str) -> Any:
    """Import ``name`` or return None (a module hidden with ``sys.modules[name] = None`` counts as absent)."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure to import means "not available"
        return None


def describe(item: Any) -> str:
    """A short name for an audio item in error messages."""
    if isinstance(item, (str, os.PathLike)):
        return repr(os.fspath(item))
    if isinstance(item, (bytes, bytearray, memoryview)):
        return f"<{len(item)} bytes>"
    if isinstance(item, tuple):
        return "<(array, sample_rate)>"
    if isinstance(item, np.ndarray):
        return f"<array shape={item.shape}>"
    return f"<{type(item).__name__}>"


def check_sample_rate(sr: Any, what: str) -> int:
    try:
        ok = sr is not None and math.isfinite(float(sr)) and float(sr) > 0 and float(sr) == int(sr)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise AudioSampleRateError(f"audio {what}: invalid sample rate {sr!r} (must be a positive integer)")
    return int(sr)


def check_samples(x: np.ndarray, what: str) -> np.ndarray:
    if x.ndim not in (1, 2):
        raise AudioError(
            f"audio {what}: expected 1-D samples or 2-D [channels, samples], got shape {x.shape}"
        )
    if x.size == 0 or x.shape[-1] == 0:
        raise AudioEmptyError(f"audio {what}: zero-length audio (no samples)")
    if not np.all(np.isfinite(x)):
        bad = int(np.count_nonzero(~np.isfinite(x)))
        raise AudioNaNError(f"audio {what}: {bad} NaN/infinite sample(s)")
    return x
