"""The in-graph audio front-end: waveform -> log-mel / MFCC / Whisper log-mel as OpenVINO ops.

The chain mirrors ``ovbuild.runtime.audio.audio_features`` exactly: optional normalisation,
framing and the mel-filtered DFT power (``ovbuild.frontends.audio_dft``), then ``log`` (dB with
librosa's ``top_db``, or Whisper's clamp/scale) and the MFCC DCT-II ``MatMul``. Every node is named
``audio_frontend/...`` and pinned to f32 execution (``ovbuild.frontends.graph_merge``), which also
joins the front-end to a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ovbuild.frontends.audio_dft import f32_const, mel_power
from ovbuild.frontends.graph_merge import (
    FRONTEND_PREFIX,
    LAYOUT_KEY,
    frontend_runtime_precisions,
    pin_f32_in_ir,
    prepend_frontend,
)
from ovbuild.runtime.audio import audio_config, audio_dct_matrix, audio_frame_indices, audio_mel_filterbank

__all__ = [
    "FEATURES_OUTPUT",
    "FRONTEND_IGNORED_PATTERN",
    "FRONTEND_PREFIX",
    "WAVEFORM_INPUT",
    "build_audio_frontend",
    "frontend_runtime_precisions",
    "pin_f32_in_ir",
    "prepend_frontend",
]

#: Node-name regex for NNCF's ``IgnoredScope(patterns=[...])``: weight compression or quantization
#: of the DFT/mel MatMul constants would break parity (0.6 dB with INT8 weights).
FRONTEND_IGNORED_PATTERN = "audio_frontend/.*"
WAVEFORM_INPUT = "waveform"
FEATURES_OUTPUT = "features"


#: whisper_pad=features: the second input, real frames per row (the rest of the 30 s are zeros).
NUM_FRAMES_INPUT = "num_frames"


def _normalized(ops: Any, sig: Any) -> Any:
    """Zero mean, unit variance per row (``a - b`` written as ``a + b * (-1)``, see audio_dft)."""
    axes = ops.constant(np.array([1], np.int32))
    centred = ops.add(sig, ops.multiply(ops.reduce_mean(sig, axes, True), f32_const(-1.0)))
    var = ops.reduce_mean(ops.multiply(centred, centred), axes, True)
    return ops.multiply(centred, ops.power(ops.add(var, f32_const(1e-7)), f32_const(-0.5)))


def _ln(ops: Any, y: Any) -> Any:
    """Natural log of ``y`` in [1e-10, 1e30] from ops the CPU plugin JIT-compiles (it runs ``Log``
    as a scalar reference kernel, about as slow as the whole mel stage; ``Divide`` and ``Power``
    become slow or unpinned nodes). ``u = y ** (1/256)`` by eight square roots is within 0.19 of
    1 for ``y`` in [1e-10, 1e17], where ``256 ln u`` by its Taylor series to ``t**6``
    (``t = u - 1``) is within 2e-4; one Newton step ``L + y exp(-L) - 1`` squares that error away,
    leaving the rounding of ``exp`` (about 3e-7, i.e. 1e-6 dB).
    Constants are per-channel vectors: the CPU plugin folds a scalar add into a node that loses
    its f32 pin."""
    width = y.get_output_partial_shape(0)[-1].get_length()

    def const(v: float) -> Any:
        return f32_const(np.full(width, v))

    u = y
    for _ in range(8):
        u = ops.sqrt(u)
    t = ops.add(u, const(-1.0))
    acc = const(-256.0 / 6.0)
    for k in (5, 4, 3, 2):
        acc = ops.add(ops.multiply(acc, t), const((-1.0) ** (k + 1) * 256.0 / k))
    coarse = ops.multiply(ops.add(ops.multiply(acc, t), const(256.0)), t)
    residual = ops.multiply(y, ops.exp(ops.multiply(coarse, const(-1.0))))
    return ops.add(coarse, ops.add(residual, const(-1.0)))


def _log_mel_db(ops: Any, mel: Any, top_db: float | None) -> Any:
    db = ops.multiply(_ln(ops, ops.maximum(mel, f32_const(1e-10))), f32_const(10.0 / math.log(10.0)))
    if top_db is not None:
        ceiling = ops.reduce_max(db, ops.constant(np.array([1, 2], np.int32)), True)
        db = ops.maximum(db, ops.add(ceiling, f32_const(-float(top_db))))
    return db


def _whisper_tail(ops: Any, mel: Any, n_real: int, n_total: int, n_mels: int) -> Any:
    """Whisper's log10 / clamp(max - 8) / (x + 4) / 4 over ``n_total`` frames, of which only
    the first ``n_real`` touch audio; the rest are silent frames filled with their known value."""
    lg = ops.multiply(_ln(ops, ops.maximum(mel, f32_const(1e-10))), f32_const(1.0 / math.log(10.0)))
    m = ops.reduce_max(lg, ops.constant(np.array([1, 2], np.int32)), True)
    if n_real < n_total:
        m = ops.maximum(m, f32_const(-10.0))  # silent frames are log10(1e-10)
    floor = ops.add(m, f32_const(-8.0))
    out = ops.multiply(ops.add(ops.maximum(lg, floor), f32_const(4.0)), f32_const(0.25))
    if n_real < n_total:
        fill = ops.multiply(ops.add(ops.maximum(floor, f32_const(-10.0)), f32_const(4.0)), f32_const(0.25))
        block = ops.multiply(fill, f32_const(np.ones((1, n_total - n_real, n_mels))))
        out = ops.concat([out, block], 1)
    return out


def _whisper_tail_content(ops: Any, mel: Any, num_frames: Any, n_total: int) -> Any:
    """faster-whisper's convention: log10 / clamp(max - 8) / (x + 4) / 4 over the first
    ``num_frames`` frames of each row (the real audio), zeros after them."""
    lg = ops.multiply(_ln(ops, ops.maximum(mel, f32_const(1e-10))), f32_const(1.0 / math.log(10.0)))
    frame = ops.constant(np.arange(n_total, dtype=np.int32).reshape(1, n_total, 1))
    rows = ops.reshape(num_frames, ops.constant(np.array([-1, 1, 1], np.int32)), False)
    inside = ops.less(frame, rows)  # [B, T, 1]
    lg_inside = ops.select(inside, lg, f32_const(-30.0))
    m = ops.reduce_max(lg_inside, ops.constant(np.array([1, 2], np.int32)), True)
    out = ops.multiply(ops.add(ops.maximum(lg, ops.add(m, f32_const(-8.0))), f32_const(4.0)), f32_const(0.25))
    return ops.select(inside, out, f32_const(0.0))


def _whisper_frames(c: Mapping[str, Any], num_samples: int) -> tuple[np.ndarray, int]:
    """Frame indices of the frames real audio touches within Whisper's zero-padded window, and the
    window's total frame count (Whisper drops the last STFT frame)."""
    sr, n_fft, hop = int(c["sample_rate"]), int(c["n_fft"]), int(c["hop_length"])
    total = int(round(float(c["chunk_seconds"]) * sr))
    n_total = total // hop
    idx = audio_frame_indices(
        num_samples, n_fft, hop, center=True, pad_mode="reflect", virtual_length=total, n_frames=n_total
    )
    touched = np.nonzero((idx < num_samples).any(axis=1))[0]
    n_real = int(touched[-1]) + 1 if len(touched) else 1
    return idx[:n_real], n_total


def _spectral_features(
    ops: Any, sig: Any, c: Mapping[str, Any], num_samples: int, num_frames: Any = None
) -> Any:
    """``[batch, frames, n]`` features of kind ``c["features"]`` (anything but ``raw``)."""
    kind, sr, n_fft, n_mels = c["features"], int(c["sample_rate"]), int(c["n_fft"]), int(c["n_mels"])
    if kind == "whisper_log_mel":
        idx, n_total = _whisper_frames(c, num_samples)
        c = dict(c, power=2.0)
    else:
        idx = audio_frame_indices(
            num_samples, n_fft, int(c["hop_length"]), center=bool(c["center"]), pad_mode=c["pad_mode"]
        )
    fb = audio_mel_filterbank(sr, n_fft, n_mels, float(c["fmin"]), c["fmax"]).astype(np.float64)
    mel = mel_power(ops, sig, idx, c, fb)
    if kind == "whisper_log_mel" and num_frames is not None:
        return _whisper_tail_content(ops, mel, num_frames, n_total)
    if kind == "whisper_log_mel":
        return _whisper_tail(ops, mel, len(idx), n_total, n_mels)
    if kind == "mel":
        return mel
    db = _log_mel_db(ops, mel, c["top_db"])
    if kind == "mfcc":
        return ops.matmul(db, f32_const(audio_dct_matrix(n_mels, int(c["n_mfcc"])).T), False, False)
    return db


def build_audio_frontend(
    cfg: Mapping[str, Any] | Any, num_samples: int, *, pin_f32: bool = True, input_name: str = WAVEFORM_INPUT
) -> Any:
    """Build the front-end as an OpenVINO model.

    Args:
        cfg: ``AudioFrontend`` fields (mapping or dataclass): ``features`` (``log_mel`` | ``mfcc`` |
            ``whisper_log_mel`` | ``mel`` (linear mel power) | ``raw``), ``sample_rate``, ``n_fft``,
            ``win_length``, ``hop_length``, ``n_mels``, ``n_mfcc``, ``fmin``, ``fmax``, ``power``, ``center``,
            ``pad_mode``, ``top_db``, ``normalize``, ``chunk_seconds``, ``layout``
            (``mels_frames`` -> ``[batch, n, frames]`` as librosa, or ``frames_mels``).
        num_samples: the static waveform length the model takes.
        pin_f32: pin every front-end node to f32 execution (see ``graph_merge``).
        input_name: name of the waveform input.

    Returns:
        ``ov.Model`` with input ``input_name`` f32 ``[?, num_samples]`` (dynamic batch) and output
        ``features`` f32; its rt_info ``ovbuild_audio_layout`` is ``NCT``, ``NTC`` or ``NT`` (raw).

    Raises:
        ValueError: unknown feature kind / pad mode, audio shorter than a frame, empty filterbank.

    >>> fe = build_audio_frontend({"features": "log_mel", "n_mels": 40}, 16000)
    >>> fe.output(0).get_partial_shape()
    <PartialShape: [?,40,101]>
    """
    import openvino as ov
    import openvino.opset15 as ops

    c = audio_config(cfg)
    if num_samples <= 0:
        raise ValueError(f"num_samples must be positive, got {num_samples}")
    x = ops.parameter([-1, num_samples], np.float32, name=input_name)
    x.output(0).set_names({input_name})
    sig = _normalized(ops, x) if c["normalize"] else x
    params, frames = [x], None
    if c["features"] == "whisper_log_mel" and c["whisper_pad"] == "features":
        frames = ops.parameter([-1], np.int32, name=NUM_FRAMES_INPUT)
        frames.output(0).set_names({NUM_FRAMES_INPUT})
        params.append(frames)
    if c["features"] == "raw":
        out, layout = sig, "NT"
    elif c["layout"] == "frames_mels":
        out, layout = _spectral_features(ops, sig, c, num_samples, frames), "NTC"
    else:
        out = ops.transpose(
            _spectral_features(ops, sig, c, num_samples, frames), ops.constant(np.array([0, 2, 1], np.int32))
        )
        layout = "NCT"
    res = ops.result(out)
    if out is not x:
        out.output(0).set_names({FEATURES_OUTPUT})
    model = ov.Model([res], params, f"audio_frontend_{c['features']}")
    for i, node in enumerate(model.get_ordered_ops()):
        if node.get_type_name() not in ("Parameter", "Result"):
            node.set_friendly_name(f"{FRONTEND_PREFIX}{node.get_type_name()}_{i}")
    if pin_f32:
        model = pin_f32_in_ir(model)
    model.set_rt_info(layout, LAYOUT_KEY)
    return model
