"""Decode audio items (paths, bytes, ``(array, rate)``) to float32 samples; mono mixdown.

Decoders, tried in order: soundfile (libsndfile: WAV/FLAC/OGG, MP3 from libsndfile 1.1) ->
librosa/audioread -> the standard library's ``wave`` (PCM WAV only).
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from ..inputs import refuse_special_file
from .config import (
    AudioChannelsError,
    AudioDecodeError,
    AudioEmptyError,
    AudioError,
    AudioSampleRateError,
    check_sample_rate,
    check_samples,
    describe,
    try_import,
)
from .resample import audio_resample


def _pcm_to_float(x: np.ndarray, what: str = "samples") -> np.ndarray:
    if x.dtype.kind == "f":
        return x.astype(np.float32, copy=False)
    if x.dtype == np.uint8:
        return ((x.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if x.dtype.kind in "iu":
        return (x.astype(np.float32) / float(2 ** (8 * x.dtype.itemsize - 1))).astype(np.float32)
    raise AudioError(f"audio {what}: unsupported sample dtype {x.dtype} (expected float or integer PCM)")


def _read_wave(src: Any) -> tuple[np.ndarray, int]:
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
        data = _pcm_to_float(np.frombuffer(raw, dt))
    return data.reshape(-1, ch).T.astype(np.float32), sr


def _check_wav_truncation(head: bytes, total: int, what: str) -> None:
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


def _flac_frames(head: bytes) -> int:
    """The sample count a FLAC file's STREAMINFO declares (0 when unknown or not FLAC)."""
    if len(head) < 26 or head[:4] != b"fLaC" or head[4] & 0x7F != 0:  # STREAMINFO comes first
        return 0
    return int.from_bytes(head[18:26], "big") & ((1 << 36) - 1)


def _check_flac_length(head: bytes, decoded: int, what: str) -> None:
    """A FLAC that decodes to fewer frames than its STREAMINFO declares was cut short. libsndfile
    refuses such a file, but ffmpeg (through librosa/audioread) returns what is there; either way
    a silently shortened signal is an error."""
    declared = _flac_frames(head)
    if declared and decoded < declared:
        raise AudioDecodeError(
            f"audio {what}: truncated FLAC file: STREAMINFO declares {declared} samples per channel "
            f"but only {decoded} decode"
        )


def _reason(decoder: str, error: Exception) -> str:
    """``decoder: Type: message``; some decoders raise with an empty message (audioread's
    NoBackendError, wave's EOFError), so the type always says what went wrong."""
    text = str(error).strip()
    return f"{decoder}: {type(error).__name__}" + (f": {text}" if text else "")


def _read_file_or_bytes(item: Any, what: str) -> tuple[np.ndarray, int]:
    """Try soundfile, then librosa/audioread, then stdlib wave; (channels, samples) float32.
    A file shorter than its header declares is an error whichever decoder reads it."""
    is_bytes = isinstance(item, (bytes, bytearray, memoryview))
    if is_bytes:
        head = bytes(item[:65536])
        _check_wav_truncation(head, len(item), what)
    else:
        with open(item, "rb") as f:
            head = f.read(65536)
        _check_wav_truncation(head, os.path.getsize(item), what)
    data, sr = _decode_any(item, is_bytes, what)
    _check_flac_length(head, data.shape[-1], what)
    return data, sr


def _decode_any(item: Any, is_bytes: bool, what: str) -> tuple[np.ndarray, int]:
    errors: list[str] = []
    sf = try_import("soundfile")
    if sf is not None:
        try:
            src = io.BytesIO(bytes(item)) if is_bytes else os.fspath(item)
            data, sr = sf.read(src, dtype="float32", always_2d=True)
            return np.ascontiguousarray(data.T), int(sr)
        except Exception as e:  # noqa: BLE001 - collect and try the next decoder
            errors.append(_reason("soundfile", e))
    librosa = try_import("librosa")
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
            errors.append(_reason("librosa", e))
        finally:
            if tmp is not None:
                os.unlink(tmp)
    try:
        return _read_wave(io.BytesIO(bytes(item)) if is_bytes else os.fspath(item))
    except Exception as e:  # noqa: BLE001
        errors.append(_reason("wave", e))
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
    what = name or describe(item)
    if isinstance(item, (str, os.PathLike)):
        refuse_special_file(item, f"audio {what}", AudioError)  # a FIFO or device would hang the read
        data, sr = _read_file_or_bytes(item, what)
    elif isinstance(item, (bytes, bytearray, memoryview)):
        if len(item) == 0:
            raise AudioEmptyError(f"audio {what}: zero-length audio (empty byte string)")
        data, sr = _read_file_or_bytes(item, what)
    elif isinstance(item, tuple) and len(item) == 2:
        data, sr = np.asarray(item[0]), item[1]
    elif isinstance(item, np.ndarray) or isinstance(item, list):
        if sample_rate is None:
            raise AudioSampleRateError(f"audio {what}: a bare array needs a sample rate; pass (array, sr)")
        data, sr = np.asarray(item), sample_rate
    else:
        raise AudioError(f"audio {what}: unsupported input type {type(item).__name__}")
    sr = check_sample_rate(sr, what)
    data = _pcm_to_float(np.asarray(data), what)
    if data.ndim == 2 and data.shape[0] == 1:
        data = data[0]
    data = check_samples(data, what)
    if sample_rate is not None:
        target = check_sample_rate(sample_rate, what + " (target)")
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
    what = name or describe(x)
    x = check_samples(np.asarray(x, dtype=np.float32), what)
    if x.ndim == 1:
        return x
    if x.shape[0] == 1:
        return x[0]
    if not mixdown:
        raise AudioChannelsError(
            f"audio {what}: {x.shape[0]} channels but the model needs mono and mixdown is disabled"
        )
    return x.mean(axis=0, dtype=np.float64).astype(np.float32)
