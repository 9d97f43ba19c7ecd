"""Feature math: STFT, Slaney mel filterbank, ``power_to_db``, DCT-II; librosa when importable.

``whisper_log_mel`` is always NumPy (Whisper's recipe; it matches ``transformers``'
``WhisperFeatureExtractor``). The NumPy path matches librosa within 0.01 dB (log-mel) and 1e-3
relative (MFCC); ``ovbuild.frontends.audio_graph`` builds the same math into the graph.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .config import AudioChannelsError, AudioError, audio_config, check_samples, try_import


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    mels = f / f_sp
    log_t = f >= min_log_hz
    return np.where(log_t, min_log_hz / f_sp + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def audio_mel_filterbank(
    sr: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None
) -> np.ndarray:
    """Slaney-style, Slaney-normalised mel filterbank, as ``librosa.filters.mel``'s default.

    Args:
        sr: sample rate. n_fft: FFT size. n_mels: number of bands. fmin/fmax: band edges in Hz
            (``fmax`` defaults to ``sr / 2``).

    Returns:
        float32 ``[n_mels, 1 + n_fft // 2]``.
    """
    fmax = float(sr) / 2 if fmax is None else float(fmax)
    fftfreqs = np.linspace(0, float(sr) / 2, 1 + n_fft // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


def audio_window(n_fft: int, win_length: int | None = None) -> np.ndarray:
    """Periodic Hann window of ``win_length`` centred in ``n_fft`` (librosa's ``stft`` window), float64."""
    win_length = win_length or n_fft
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(win_length) / win_length)
    lpad = (n_fft - win_length) // 2
    return np.pad(w, (lpad, n_fft - win_length - lpad))


def audio_dct_matrix(n_mels: int, n_mfcc: int) -> np.ndarray:
    """Orthonormal DCT-II matrix ``[n_mfcc, n_mels]`` (``scipy.fft.dct(norm="ortho")``), float64."""
    n = np.arange(n_mels)
    k = np.arange(n_mfcc)[:, None]
    d = np.cos(np.pi * k * (2 * n + 1) / (2 * n_mels)) * math.sqrt(2.0 / n_mels)
    d[0] /= math.sqrt(2.0)
    return d


def audio_frame_indices(
    num_samples: int,
    n_fft: int,
    hop_length: int,
    *,
    center: bool = True,
    pad_mode: str = "constant",
    virtual_length: int | None = None,
    n_frames: int | None = None,
) -> np.ndarray:
    """Sample index of every STFT frame tap, centre padding folded in.

    The signal is ``num_samples`` long, conceptually zero-extended to ``virtual_length`` (Whisper's
    30 s). Taps that fall on padding or beyond the real samples point at index ``num_samples``,
    where callers place a zero.

    Returns:
        int64 ``[n_frames, n_fft]``.
    """
    length = virtual_length or num_samples
    pad = n_fft // 2 if center else 0
    if n_frames is None:
        n_frames = 1 + (length + 2 * pad - n_fft) // hop_length
    if n_frames < 1:
        raise AudioError(f"audio of {num_samples} samples is shorter than one frame of {n_fft}")
    p = np.arange(n_frames)[:, None] * hop_length - pad + np.arange(n_fft)[None, :]
    if pad_mode == "reflect":
        p = np.where(p < 0, -p, p)
        p = np.where(p >= length, 2 * (length - 1) - p, p)
    elif pad_mode != "constant":
        raise AudioError(f"unsupported pad_mode {pad_mode!r} (constant | reflect)")
    p = np.where((p < 0) | (p >= min(length, num_samples)), num_samples, p)
    return p.astype(np.int64)


def _power_to_db(s: np.ndarray, top_db: float | None, amin: float = 1e-10) -> np.ndarray:
    db = 10.0 * np.log10(np.maximum(s, amin))
    if top_db is not None:
        db = np.maximum(db, db.max() - float(top_db))
    return db


def _stft_power(x: np.ndarray, c: dict[str, Any], pad_mode: str) -> np.ndarray:
    """``|STFT|**power`` of 1-D ``x`` in float64, ``[1 + n_fft // 2, frames]``."""
    n_fft, hop = int(c["n_fft"]), int(c["hop_length"])
    idx = audio_frame_indices(len(x), n_fft, hop, center=bool(c["center"]), pad_mode=pad_mode)
    xz = np.concatenate([x.astype(np.float64), [0.0]])
    spec = np.fft.rfft(xz[idx] * audio_window(n_fft, c["win_length"]), axis=-1)
    mag = np.abs(spec)
    return (mag**2 if float(c["power"]) == 2.0 else mag ** float(c["power"])).T


def _features_numpy(x: np.ndarray, c: dict[str, Any]) -> np.ndarray:
    sr, kind = int(c["sample_rate"]), c["features"]
    fb = audio_mel_filterbank(sr, int(c["n_fft"]), int(c["n_mels"]), float(c["fmin"]), c["fmax"]).astype(
        np.float64
    )
    if kind == "whisper_log_mel":
        total = int(round(float(c["chunk_seconds"]) * sr))
        x = np.pad(x[:total], (0, max(0, total - len(x))))
        p = _stft_power(x, dict(c, power=2.0), "reflect")[:, :-1]
        log_spec = np.log10(np.maximum(fb @ p, 1e-10))
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        return (log_spec + 4.0) / 4.0
    mel = fb @ _stft_power(x, c, c["pad_mode"])
    if kind == "mel":
        return mel
    db = _power_to_db(mel, c["top_db"])
    if kind == "mfcc":
        return audio_dct_matrix(int(c["n_mels"]), int(c["n_mfcc"])) @ db
    return db


def _features_librosa(librosa: Any, x: np.ndarray, c: dict[str, Any]) -> np.ndarray:
    kw = dict(
        sr=int(c["sample_rate"]),
        n_fft=int(c["n_fft"]),
        hop_length=int(c["hop_length"]),
        win_length=c["win_length"],
        n_mels=int(c["n_mels"]),
        fmin=float(c["fmin"]),
        fmax=c["fmax"],
        power=float(c["power"]),
        center=bool(c["center"]),
        pad_mode=c["pad_mode"],
    )
    s = librosa.feature.melspectrogram(y=x, **kw)
    if c["features"] == "mel":
        return s
    db = librosa.power_to_db(s, top_db=c["top_db"])
    if c["features"] == "mfcc":
        return audio_dct_matrix(int(c["n_mels"]), int(c["n_mfcc"])) @ db.astype(np.float64)
    return db


def audio_features(
    x: np.ndarray, cfg: Mapping[str, Any] | Any | None = None, *, backend: str | None = None
) -> np.ndarray:
    """Host-side features, identical in definition to the in-graph front-end.

    ``log_mel`` is ``librosa.power_to_db(librosa.feature.melspectrogram(...), top_db=top_db)``;
    ``mfcc`` is ``librosa.feature.mfcc`` (DCT-II ortho of that log-mel); ``whisper_log_mel`` is
    ``WhisperFeatureExtractor``'s (pad/trim to ``chunk_seconds``, reflect-padded STFT, last frame
    dropped, log10 clamped at max - 8, ``(x + 4) / 4``); ``mel`` is the linear mel power
    (``librosa.feature.melspectrogram``, e.g. resemblyzer's input); ``raw`` returns the waveform. The dB
    ceiling (``top_db``) and Whisper's max are taken per clip. With ``normalize`` the waveform is
    first scaled to zero mean, unit variance.

    Args:
        x: mono float samples ``[samples]`` or a batch ``[batch, samples]``, at ``cfg["sample_rate"]``.
        cfg: ``AudioFrontend`` fields (mapping or dataclass); missing keys take the defaults.
        backend: ``"librosa"`` or ``"numpy"``; default librosa when importable (not for Whisper).

    Returns:
        float32 ``[n_mels|n_mfcc, frames]`` (``[frames, n]`` with ``layout: frames_mels``), with a
        leading batch axis for batched input; ``raw`` returns ``x`` as float32.

    Raises:
        AudioError: an unknown feature kind or pad mode; AudioEmptyError / AudioNaNError for bad
            samples.
    """
    c = audio_config(cfg)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        return np.stack([audio_features(row, c, backend=backend) for row in x])
    x = check_samples(x, "features input")
    if x.ndim != 1:
        raise AudioChannelsError("audio features need mono 1-D samples; call audio_to_mono first")
    if c["normalize"]:
        x = ((x - x.mean()) / np.sqrt(x.var() + 1e-7)).astype(np.float32)
    if c["features"] == "raw":
        return x
    librosa = None
    if backend in (None, "librosa") and c["features"] != "whisper_log_mel":
        librosa = try_import("librosa")
        if librosa is None and backend == "librosa":
            raise ImportError("librosa is not installed")
    out = _features_librosa(librosa, x, c) if librosa is not None else _features_numpy(x, c)
    if c["layout"] == "frames_mels":
        out = out.T
    return np.ascontiguousarray(out, dtype=np.float32)
