"""Host-side audio: decode, mono mixdown, resample, features, pad/chunk.

This module is standalone: at import time it needs only the standard library and NumPy.
soundfile, librosa, soxr and scipy are imported lazily inside the functions that use them, and
each has a fallback, so the same text can be concatenated into an artifact's generated
``loader.py``. Private helpers are prefixed ``_audio_``; public names start with ``audio_``/``Audio``.

Fallback chains (``audio_backend_status()`` reports which one is active):

- decode: soundfile (libsndfile: WAV/FLAC/OGG, MP3 from libsndfile 1.1) -> librosa/audioread ->
  stdlib ``wave`` (PCM WAV only);
- resample: soxr (what librosa's default ``soxr_hq`` uses) -> ``scipy.signal.resample_poly`` ->
  a NumPy Kaiser-windowed sinc;
- features: librosa (``log_mel``/``mfcc``) -> NumPy (STFT, Slaney mel filterbank as librosa's
  default, ``power_to_db``, orthonormal DCT-II). ``whisper_log_mel`` is always NumPy (Whisper's
  recipe; it matches ``transformers``' ``WhisperFeatureExtractor``).

Stated tolerances (checked by ``tests/runtime/test_audio.py``): the NumPy features match librosa
within 0.01 dB (log-mel) and 1e-3 relative (MFCC); the three resamplers agree within 2e-3
absolute on band-limited audio away from the edges.
"""

from __future__ import annotations

import importlib
import io
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

AUDIO_FEATURES = ("log_mel", "mfcc", "whisper_log_mel", "mel", "raw")

_AUDIO_DEFAULTS: dict[str, Any] = {
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
    "mono": True,
    "mixdown": True,
    "pad_or_chunk": "pad",
}


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


# --------------------------------------------------------------------------- helpers


def _audio_try_import(name: str) -> Any:
    """Import ``name`` or return None (a module hidden with ``sys.modules[name] = None`` counts as absent)."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure to import means "not available"
        return None


def _audio_describe(item: Any, name: str | None) -> str:
    if name:
        return name
    if isinstance(item, (str, os.PathLike)):
        return repr(os.fspath(item))
    if isinstance(item, (bytes, bytearray, memoryview)):
        return f"<{len(item)} bytes>"
    if isinstance(item, tuple):
        return "<(array, sample_rate)>"
    if isinstance(item, np.ndarray):
        return f"<array shape={item.shape}>"
    return f"<{type(item).__name__}>"


def _audio_cfg(cfg: Mapping[str, Any] | Any | None) -> dict[str, Any]:
    """Merge a config mapping (or dataclass/namespace) over the defaults."""
    out = dict(_AUDIO_DEFAULTS)
    if cfg is None:
        return out
    if not isinstance(cfg, Mapping):
        cfg = {
            k: getattr(cfg, k) for k in dir(cfg) if not k.startswith("_") and not callable(getattr(cfg, k))
        }
    for k, v in cfg.items():
        if v is not None or k in ("fmax", "win_length", "top_db", "input_name"):
            out[k] = v
    if out["features"] not in AUDIO_FEATURES:
        raise AudioError(f"unknown audio features {out['features']!r}; expected one of {AUDIO_FEATURES}")
    return out


def _audio_check_sr(sr: Any, what: str) -> int:
    try:
        ok = sr is not None and math.isfinite(float(sr)) and float(sr) > 0 and float(sr) == int(sr)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise AudioSampleRateError(f"audio {what}: invalid sample rate {sr!r} (must be a positive integer)")
    return int(sr)


def _audio_check_samples(x: np.ndarray, what: str) -> np.ndarray:
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


def _audio_pcm_to_float(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "f":
        return x.astype(np.float32, copy=False)
    if x.dtype == np.uint8:
        return ((x.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if x.dtype.kind in "iu":
        return (x.astype(np.float32) / float(2 ** (8 * x.dtype.itemsize - 1))).astype(np.float32)
    raise AudioError(f"unsupported sample dtype {x.dtype}")


def _audio_read_wave(src: Any) -> tuple[np.ndarray, int]:
    """Decode PCM WAV with the standard library only (8/16/24/32-bit)."""
    import wave

    with wave.open(src, "rb") as w:
        ch, width, sr, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    if len(raw) < n * ch * width:
        raise EOFError(f"truncated WAV data: {len(raw)} of {n * ch * width} bytes")
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        v = (
            b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16)
        ) << 8
        data = (v >> 8).astype(np.float32) / float(2**23)
    else:
        dt = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
        data = _audio_pcm_to_float(np.frombuffer(raw, dt))
    return data.reshape(-1, ch).T.astype(np.float32), sr


def _audio_check_wav_truncation(head: bytes, total: int, what: str) -> None:
    """A RIFF/WAVE whose ``data`` chunk claims more bytes than the file holds is truncated
    (libsndfile would silently return the frames that are there)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    pos = 12
    while pos + 8 <= len(head):
        cid, size = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        if cid == b"data":
            if 0 < size < 0xFFFFFFFF and pos + 8 + size > total:
                raise AudioDecodeError(
                    f"audio {what}: truncated WAV file: the data chunk declares {size} bytes "
                    f"but only {total - pos - 8} are present"
                )
            return
        pos += 8 + size + (size & 1)


def _audio_read_file_or_bytes(item: Any, what: str) -> tuple[np.ndarray, int]:
    """Try soundfile, then librosa/audioread, then stdlib wave; (channels, samples) float32."""
    errors: list[str] = []
    is_bytes = isinstance(item, (bytes, bytearray, memoryview))
    if is_bytes:
        _audio_check_wav_truncation(bytes(item[:65536]), len(item), what)
    else:
        with open(item, "rb") as f:
            _audio_check_wav_truncation(f.read(65536), os.path.getsize(item), what)
    sf = _audio_try_import("soundfile")
    if sf is not None:
        try:
            src = io.BytesIO(bytes(item)) if is_bytes else os.fspath(item)
            data, sr = sf.read(src, dtype="float32", always_2d=True)
            return np.ascontiguousarray(data.T), int(sr)
        except Exception as e:  # noqa: BLE001 - collect and try the next decoder
            errors.append(f"soundfile: {e}")
    librosa = _audio_try_import("librosa")
    if librosa is not None:
        tmp = None
        try:
            path = os.fspath(item) if not is_bytes else None
            if is_bytes:
                import tempfile

                fd, tmp = tempfile.mkstemp(suffix=".audio")
                with os.fdopen(fd, "wb") as f:
                    f.write(bytes(item))
                path = tmp
            data, sr = librosa.load(path, sr=None, mono=False, dtype=np.float32)
            data = np.atleast_2d(np.asarray(data, dtype=np.float32))
            return data, int(sr)
        except Exception as e:  # noqa: BLE001
            errors.append(f"librosa: {e}")
        finally:
            if tmp is not None:
                os.unlink(tmp)
    try:
        return _audio_read_wave(io.BytesIO(bytes(item)) if is_bytes else os.fspath(item))
    except Exception as e:  # noqa: BLE001
        errors.append(f"wave: {e}")
    raise AudioDecodeError(
        f"audio {what}: cannot decode (corrupt, truncated or unsupported): " + "; ".join(errors)
    )


# --------------------------------------------------------------------------- decode / mono


def audio_decode(
    item: Any, sample_rate: int | None = None, *, name: str | None = None
) -> tuple[np.ndarray, int]:
    """Decode one audio item to float32 samples.

    Args:
        item: a file path (WAV/FLAC/OGG/MP3), encoded bytes, an ``(array, sample_rate)`` tuple, or
            a bare NumPy array (then ``sample_rate`` is its rate).
        sample_rate: target rate; when given and different from the item's rate the audio is
            resampled with ``audio_resample``. For a bare array it is the array's own rate.
        name: how to name the item in error messages (defaults to the path or a short description).

    Returns:
        ``(samples, sr)``: float32 samples, 1-D for mono or ``[channels, samples]`` for
        multichannel audio, and their sample rate.

    Raises:
        AudioDecodeError: the file/bytes are corrupt, truncated or of an unsupported format.
        AudioEmptyError: zero-length audio.
        AudioSampleRateError: a sample rate of 0 (or negative, or missing for a bare array).
        AudioNaNError: NaN or infinite samples.
        FileNotFoundError: the path does not exist.

    >>> x, sr = audio_decode((np.zeros(16000, np.float32) + 0.1, 16000))
    >>> x.shape, sr
    ((16000,), 16000)
    """
    what = _audio_describe(item, name)
    if isinstance(item, (str, os.PathLike)):
        if not os.path.exists(item):
            raise FileNotFoundError(f"audio {what}: no such file")
        data, sr = _audio_read_file_or_bytes(item, what)
    elif isinstance(item, (bytes, bytearray, memoryview)):
        if len(item) == 0:
            raise AudioEmptyError(f"audio {what}: zero-length audio (empty byte string)")
        data, sr = _audio_read_file_or_bytes(item, what)
    elif isinstance(item, tuple) and len(item) == 2:
        data, sr = np.asarray(item[0]), item[1]
    elif isinstance(item, np.ndarray) or isinstance(item, list):
        if sample_rate is None:
            raise AudioSampleRateError(f"audio {what}: a bare array needs a sample rate; pass (array, sr)")
        data, sr = np.asarray(item), sample_rate
    else:
        raise AudioError(f"audio {what}: unsupported input type {type(item).__name__}")
    sr = _audio_check_sr(sr, what)
    data = _audio_pcm_to_float(np.asarray(data))
    if data.ndim == 2 and data.shape[0] == 1:
        data = data[0]
    data = _audio_check_samples(data, what)
    if sample_rate is not None:
        target = _audio_check_sr(sample_rate, what + " (target)")
        if target != sr:
            data, sr = audio_resample(data, sr, target), target
    return np.ascontiguousarray(data, dtype=np.float32), sr


def audio_to_mono(x: np.ndarray, *, mixdown: bool = True, name: str | None = None) -> np.ndarray:
    """Return 1-D mono samples.

    Args:
        x: 1-D samples or ``[channels, samples]``.
        mixdown: average the channels of multichannel audio; when False multichannel input fails.
        name: how to name the item in error messages.

    Returns:
        float32 1-D array.

    Raises:
        AudioChannelsError: multichannel audio with ``mixdown=False``.
        AudioEmptyError / AudioNaNError: no samples / non-finite samples.
    """
    what = name or _audio_describe(x, None)
    x = _audio_check_samples(np.asarray(x, dtype=np.float32), what)
    if x.ndim == 1:
        return x
    if x.shape[0] == 1:
        return x[0]
    if not mixdown:
        raise AudioChannelsError(
            f"audio {what}: {x.shape[0]} channels but the model needs mono and mixdown is disabled"
        )
    return x.mean(axis=0, dtype=np.float64).astype(np.float32)


# --------------------------------------------------------------------------- resample


def _audio_resample_backend() -> str:
    if _audio_try_import("soxr") is not None:
        return "soxr"
    if _audio_try_import("scipy.signal") is not None:
        return "scipy"
    return "numpy"


def _audio_sinc_resample(x: np.ndarray, up: int, down: int, zeros: int = 32, beta: float = 9.0) -> np.ndarray:
    """Kaiser-windowed sinc resampling by ``up/down`` (NumPy only), polyphase, chunked."""
    n_in = x.shape[-1]
    n_out = int(math.ceil(n_in * up / down))
    cutoff = min(1.0, up / down) * 0.96  # of the input Nyquist; a little roll-off against aliasing
    half = int(math.ceil(zeros / cutoff))  # half-width in input samples
    taps = np.arange(-half + 1, half + 1)  # 2*half taps around floor(t)
    phases = (np.arange(up) * down) % up  # t = m*down/up -> frac = ((m*down) % up) / up
    frac = phases / up
    d = frac[:, None] - taps[None, :]  # distance from each tap, [up, taps]
    win = np.i0(beta * np.sqrt(np.clip(1.0 - (d / (half + 1)) ** 2, 0.0, 1.0))) / np.i0(beta)
    h = cutoff * np.sinc(cutoff * d) * win  # [up, taps]
    xp = np.pad(x.astype(np.float64), [(0, 0)] * (x.ndim - 1) + [(half, half + 1)])
    y = np.empty(x.shape[:-1] + (n_out,), dtype=np.float64)
    step = 4096
    for s in range(0, n_out, step):
        m = np.arange(s, min(n_out, s + step))
        base = (m * down) // up
        idx = base[:, None] + taps[None, :] + half
        y[..., s : s + len(m)] = np.einsum("...mt,mt->...m", xp[..., idx], h[m % up])
    return y.astype(np.float32)


def audio_resample(x: np.ndarray, sr_from: int, sr_to: int, *, backend: str | None = None) -> np.ndarray:
    """Resample along the last axis.

    The backend chain is soxr (librosa's default ``soxr_hq``) -> ``scipy.signal.resample_poly``
    (Kaiser window) -> a NumPy Kaiser-windowed sinc; each is a real implementation.

    Args:
        x: float samples, 1-D or ``[channels, samples]``.
        sr_from: the input rate (> 0).
        sr_to: the output rate (> 0).
        backend: force ``"soxr"``, ``"scipy"`` or ``"numpy"``; default: the first available.

    Returns:
        float32 samples of length ``ceil(len * sr_to / sr_from)``.

    Raises:
        AudioSampleRateError: a rate is not a positive integer.
        ImportError: a forced backend is not installed.
    """
    sr_from = _audio_check_sr(sr_from, "resample source")
    sr_to = _audio_check_sr(sr_to, "resample target")
    x = np.asarray(x, dtype=np.float32)
    if sr_from == sr_to:
        return x
    backend = backend or _audio_resample_backend()
    g = math.gcd(sr_from, sr_to)
    up, down = sr_to // g, sr_from // g
    n_out = int(math.ceil(x.shape[-1] * up / down))
    if backend == "soxr":
        soxr = importlib.import_module("soxr")
        y = soxr.resample(x.T, sr_from, sr_to, quality="HQ").T
    elif backend == "scipy":
        signal = importlib.import_module("scipy.signal")
        y = signal.resample_poly(x.astype(np.float64), up, down, axis=-1, window=("kaiser", 9.0))
    elif backend == "numpy":
        y = _audio_sinc_resample(x, up, down)
    else:
        raise ValueError(f"unknown resample backend {backend!r}")
    y = np.asarray(y, dtype=np.float32)[..., :n_out]
    if y.shape[-1] < n_out:
        y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, n_out - y.shape[-1])])
    return np.ascontiguousarray(y)


# --------------------------------------------------------------------------- feature math


def _audio_hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    mels = f / f_sp
    log_t = f >= min_log_hz
    return np.where(log_t, min_log_hz / f_sp + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _audio_mel_to_hz(m: np.ndarray) -> np.ndarray:
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
    mel_f = _audio_mel_to_hz(np.linspace(_audio_hz_to_mel(fmin), _audio_hz_to_mel(fmax), n_mels + 2))
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


def _audio_power_to_db(s: np.ndarray, top_db: float | None, amin: float = 1e-10) -> np.ndarray:
    db = 10.0 * np.log10(np.maximum(s, amin))
    if top_db is not None:
        db = np.maximum(db, db.max() - float(top_db))
    return db


def _audio_stft_power(x: np.ndarray, c: dict[str, Any], pad_mode: str) -> np.ndarray:
    """``|STFT|**power`` of 1-D ``x`` in float64, ``[1 + n_fft // 2, frames]``."""
    n_fft, hop = int(c["n_fft"]), int(c["hop_length"])
    idx = audio_frame_indices(len(x), n_fft, hop, center=bool(c["center"]), pad_mode=pad_mode)
    xz = np.concatenate([x.astype(np.float64), [0.0]])
    spec = np.fft.rfft(xz[idx] * audio_window(n_fft, c["win_length"]), axis=-1)
    mag = np.abs(spec)
    return (mag**2 if float(c["power"]) == 2.0 else mag ** float(c["power"])).T


def _audio_features_numpy(x: np.ndarray, c: dict[str, Any]) -> np.ndarray:
    sr, kind = int(c["sample_rate"]), c["features"]
    fb = audio_mel_filterbank(sr, int(c["n_fft"]), int(c["n_mels"]), float(c["fmin"]), c["fmax"]).astype(
        np.float64
    )
    if kind == "whisper_log_mel":
        total = int(round(float(c["chunk_seconds"]) * sr))
        x = np.pad(x[:total], (0, max(0, total - len(x))))
        p = _audio_stft_power(x, dict(c, power=2.0), "reflect")[:, :-1]
        log_spec = np.log10(np.maximum(fb @ p, 1e-10))
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        return (log_spec + 4.0) / 4.0
    mel = fb @ _audio_stft_power(x, c, c["pad_mode"])
    if kind == "mel":
        return mel
    db = _audio_power_to_db(mel, c["top_db"])
    if kind == "mfcc":
        return audio_dct_matrix(int(c["n_mels"]), int(c["n_mfcc"])) @ db
    return db


def _audio_features_librosa(librosa: Any, x: np.ndarray, c: dict[str, Any]) -> np.ndarray:
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
    c = _audio_cfg(cfg)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        return np.stack([audio_features(row, c, backend=backend) for row in x])
    x = _audio_check_samples(x, "features input")
    if x.ndim != 1:
        raise AudioChannelsError("audio features need mono 1-D samples; call audio_to_mono first")
    if c["normalize"]:
        x = ((x - x.mean()) / np.sqrt(x.var() + 1e-7)).astype(np.float32)
    if c["features"] == "raw":
        return x
    librosa = None
    if backend in (None, "librosa") and c["features"] != "whisper_log_mel":
        librosa = _audio_try_import("librosa")
        if librosa is None and backend == "librosa":
            raise ImportError("librosa is not installed")
    out = _audio_features_librosa(librosa, x, c) if librosa is not None else _audio_features_numpy(x, c)
    if c["layout"] == "frames_mels":
        out = out.T
    return np.ascontiguousarray(out, dtype=np.float32)


# --------------------------------------------------------------------------- batching / status


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


def audio_prepare_batch(
    items: list[Any], cfg: Mapping[str, Any] | Any, num_samples: int, *, on_error: str = "raise"
) -> tuple[np.ndarray, list[int], dict[int, str]]:
    """Decode, mix down, resample and pad/chunk many items for a waveform-input model.

    Args:
        items: anything ``audio_decode`` accepts.
        cfg: ``AudioFrontend`` fields (``sample_rate``, ``mono``, ``mixdown``, ``pad_or_chunk``).
        num_samples: the model's waveform length.
        on_error: ``"raise"`` re-raises the first bad item's error; ``"skip"`` leaves it out and
            reports it, so the other items still run.

    Returns:
        ``(waveforms [rows, num_samples] float32, item index of each row, {item index: error})``.

    Raises:
        AudioError (or FileNotFoundError): a bad item with ``on_error="raise"``; the message
            names the item and its position.
    """
    c = _audio_cfg(cfg)
    rows: list[np.ndarray] = []
    owner: list[int] = []
    failed: dict[int, str] = {}
    for i, item in enumerate(items):
        try:
            x, _ = audio_decode(item, int(c["sample_rate"]), name=f"item {i} ({_audio_describe(item, None)})")
            if c["mono"]:
                x = audio_to_mono(x, mixdown=bool(c["mixdown"]), name=f"item {i}")
            chunks = audio_pad_or_chunk(x, num_samples, c["pad_or_chunk"])
        except (AudioError, FileNotFoundError) as e:
            if on_error != "skip":
                raise
            failed[i] = str(e)
            continue
        rows.extend(chunks)
        owner.extend([i] * len(chunks))
    out = np.stack(rows) if rows else np.zeros((0, num_samples), np.float32)
    return out, owner, failed


def audio_backend_status() -> dict[str, Any]:
    """Which audio paths are active on this machine (for ``ovbuild doctor``).

    Returns:
        ``{"decode": ..., "mp3": bool, "resample": "soxr"|"scipy"|"numpy",
        "features": "librosa"|"numpy", "versions": {module: version or None}}``.
    """
    mods = {n: _audio_try_import(n) for n in ("soundfile", "librosa", "soxr", "scipy")}
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
        "resample": _audio_resample_backend(),
        "features": features,
        "versions": versions,
    }
