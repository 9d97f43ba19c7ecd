"""Host-side audio: decode, mono mixdown, resample, features, pad/chunk.

At import time only the standard library and NumPy are needed; soundfile, librosa, soxr and
scipy are imported lazily, each with a fallback (``audio_backend_status()`` reports which is
active). One module per job:

- ``config``: defaults (the ``AudioFrontend`` schema's), errors, shared sample checks;
- ``decode``: soundfile -> librosa/audioread -> stdlib ``wave``; mono mixdown;
- ``resample``: soxr -> ``scipy.signal.resample_poly`` -> NumPy windowed sinc;
- ``features``: librosa or NumPy log-mel / MFCC / mel, and Whisper's log-mel;
- ``batch``: pad or chunk to the model's length, many items lazily (``audio_item_rows``).
"""

from __future__ import annotations

from typing import Any

from .batch import audio_item_rows, audio_pad_or_chunk, audio_prepare_batch
from .config import (
    AUDIO_FEATURES,
    AudioChannelsError,
    AudioDecodeError,
    AudioEmptyError,
    AudioError,
    AudioNaNError,
    AudioSampleRateError,
    audio_config,
    try_import,
)
from .decode import audio_decode, audio_to_mono
from .features import (
    audio_dct_matrix,
    audio_features,
    audio_frame_indices,
    audio_mel_filterbank,
    audio_window,
)
from .resample import audio_resample, resample_backend

__all__ = [
    "AUDIO_FEATURES",
    "AudioChannelsError",
    "AudioDecodeError",
    "AudioEmptyError",
    "AudioError",
    "AudioNaNError",
    "AudioSampleRateError",
    "audio_backend_status",
    "audio_config",
    "audio_dct_matrix",
    "audio_decode",
    "audio_features",
    "audio_frame_indices",
    "audio_item_rows",
    "audio_mel_filterbank",
    "audio_pad_or_chunk",
    "audio_prepare_batch",
    "audio_resample",
    "audio_to_mono",
    "audio_window",
]


def audio_backend_status() -> dict[str, Any]:
    """Which audio paths are active on this machine (for ``ovbuild doctor``).

    Returns:
        ``{"decode": ..., "mp3": bool, "resample": "soxr"|"scipy"|"numpy",
        "features": "librosa"|"numpy", "versions": {module: version or None}}``.
    """
    mods = {n: try_import(n) for n in ("soundfile", "librosa", "soxr", "scipy")}
    versions = {n: getattr(m, "__version__", "?") if m is not None else None for n, m in mods.items()}
    sf = mods["soundfile"]
    mp3 = False
    if sf is not None:
        decode = f"soundfile (libsndfile {getattr(sf, '__libsndfile_version__', '?')})"
        try:
            mp3 = "MP3" in sf.available_formats()
        except Exception:  # noqa: BLE001
            mp3 = False
    elif mods["librosa"] is not None:
        decode = "librosa/audioread"
    else:
        decode = "wave (stdlib, PCM WAV only)"
    mp3 = mp3 or mods["librosa"] is not None
    features = "librosa" if mods["librosa"] is not None else "numpy"
    return {
        "decode": decode,
        "mp3": mp3,
        "resample": resample_backend(),
        "features": features,
        "versions": versions,
    }
