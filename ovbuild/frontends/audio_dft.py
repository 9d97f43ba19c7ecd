"""Mel-filtered DFT power of framed audio, built from OpenVINO ops (part of the audio front-end).

Framing is constant-index ``Gather`` nodes straight from the waveform: centre padding, Whisper's
zero padding and the "only frames real audio touches" cut are folded into the indices, and taps on
padding use an out-of-range index, which Gather-8 defines to read 0. The real DFT is ``MatMul``\\ s
against constant windowed cos/sin bases, computing only the bins that carry mel weight. OpenVINO's
own ``RDFT``/``STFT`` are far slower here for ``n_fft = 400`` (a direct DFT: 11.8 ms per 1001
frames at one thread against about 2 ms for this whole front-end), so the DFT stays as MatMuls.
No ``Pad`` or ``Subtract`` nodes (the CPU plugin rewrites them and they would lose their f32 pins):
``a - b`` is written ``a + b * (-1)`` with a per-tap constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ovbuild.runtime.audio import audio_window


def f32_const(a: Any) -> Any:
    """An f32 OpenVINO constant."""
    import openvino.opset15 as ops

    return ops.constant(np.asarray(a, dtype=np.float32))


def gather_samples(ops: Any, xz: Any, idx: np.ndarray) -> Any:
    """``xz[:, idx]``: the samples at positions ``idx`` of every row (any index shape)."""
    return ops.gather(xz, ops.constant(idx.astype(np.int32)), ops.constant(np.int32(1)))


def _neg(ops: Any, b: Any, width: int) -> Any:
    """``-b``; a per-tap constant (a scalar -1 is rewritten by the CPU plugin and loses its pin)."""
    return ops.multiply(b, f32_const(-np.ones(width)))


def _cos_sin(w: np.ndarray, n: np.ndarray, k: np.ndarray, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Windowed bases for folded taps ``n``: taps 0 and N/2 are their own mirror, so their cos
    rows are halved (``y[n] + y[N-n] = 2 y[n]``) and their sin rows are zero."""
    ang = 2.0 * np.pi * np.outer(n, k) / n_fft
    own = (n == 0) | (2 * n == n_fft)
    cos_b, sin_b = w[n, None] * np.cos(ang), w[n, None] * np.sin(ang)
    cos_b[own] *= 0.5
    sin_b[own] = 0.0
    return cos_b, sin_b


def _fold(ops: Any, xz: Any, idx: np.ndarray, n: np.ndarray, n_fft: int) -> tuple[Any, Any]:
    """``(y[n] + y[N-n], y[n] - y[N-n])`` for taps ``n`` of every frame."""
    a = gather_samples(ops, xz, idx[:, n])
    b = gather_samples(ops, xz, idx[:, (n_fft - n) % n_fft])
    return ops.add(a, b), ops.add(a, _neg(ops, b, len(n)))


def _sq(ops: Any, re: Any, im: Any) -> Any:
    return ops.add(ops.multiply(re, re), ops.multiply(im, im))


def _matmul(ops: Any, x: Any, w: np.ndarray) -> Any:
    return ops.matmul(x, f32_const(w), False, False)


def _radix_mel(ops: Any, xz: Any, idx: np.ndarray, w: np.ndarray, fb: np.ndarray, mag: Any) -> Any:
    """Symmetric window, ``n_fft % 4 == 0``: the folded frame is split by even/odd tap; bins ``k``
    and ``N/2 - k`` share their bases up to ``(-1)**n``, so four MatMuls of ``N/4 + 1`` columns
    give ``Ee, Eo, Oe, Oo`` and ``Re[k] = Ee + Eo``, ``Re[N/2-k] = Ee - Eo`` (same for Im): half
    the multiply-adds of the plain fold, a quarter of a plain real DFT's."""
    n_fft = len(w)
    half, quarter = n_fft // 2, n_fft // 4
    m_lo = fb[:, : quarter + 1]
    m_hi = np.zeros_like(m_lo)
    m_hi[:, :quarter] = fb[:, half - np.arange(quarter)]
    ks = np.nonzero((m_lo + m_hi).sum(axis=0) > 0)[0]
    if len(ks) == 0:
        raise ValueError("the mel filterbank is empty: check fmin/fmax against the sample rate")
    parts = []
    for n in (np.arange(0, half + 1, 2), np.arange(1, half, 2)):
        e, o = _fold(ops, xz, idx, n, n_fft)
        cos_b, sin_b = _cos_sin(w, n, ks, n_fft)
        parts += [_matmul(ops, e, cos_b), _matmul(ops, o, sin_b)]
    ee, oe, eo, oo = parts
    p_lo = _sq(ops, ops.add(ee, eo), ops.add(oe, oo))
    p_hi = _sq(ops, ops.add(ee, _neg(ops, eo, len(ks))), ops.add(oe, _neg(ops, oo, len(ks))))
    return ops.add(_matmul(ops, mag(p_lo), m_lo[:, ks].T), _matmul(ops, mag(p_hi), m_hi[:, ks].T))


def _direct_mel(
    ops: Any, xz: Any, idx: np.ndarray, w: np.ndarray, fb: np.ndarray, mag: Any, symmetric: bool
) -> Any:
    """The fold (symmetric window: two MatMuls of ``N/2 + 1`` taps) or the full DFT (one gather of
    the whole frame, two MatMuls), over the contiguous range of bins with mel weight."""
    n_fft = len(w)
    nz = np.nonzero(fb.sum(axis=0) > 0)[0]
    if len(nz) == 0:
        raise ValueError("the mel filterbank is empty: check fmin/fmax against the sample rate")
    k = np.arange(nz[0], nz[-1] + 1)
    if symmetric:
        n = np.arange(n_fft // 2 + 1)
        e, o = _fold(ops, xz, idx, n, n_fft)
        cos_b, sin_b = _cos_sin(w, n, k, n_fft)
        re, im = _matmul(ops, e, cos_b), _matmul(ops, o, sin_b)
    else:
        ang = 2.0 * np.pi * np.outer(np.arange(n_fft), k) / n_fft
        frames = gather_samples(ops, xz, idx)
        re = _matmul(ops, frames, w[:, None] * np.cos(ang))
        im = _matmul(ops, frames, w[:, None] * np.sin(ang))
    return _matmul(ops, mag(_sq(ops, re, im)), fb[:, k].T)


def mel_power(ops: Any, xz: Any, idx: np.ndarray, c: Mapping[str, Any], fb: np.ndarray) -> Any:
    """Mel-filtered ``|DFT(frame * window)|**power``, ``[batch, frames, n_mels]``.

    Args:
        ops: the opset module. xz: the waveform ``[batch, samples]``. idx: frame indices
            ``[frames, n_fft]`` (out-of-range taps read 0). c: the audio config (``n_fft``,
            ``win_length``, ``power``; ``_dft`` = ``radix`` | ``fold`` | ``full`` forces a
            formulation, for tests and benchmarks). fb: the mel filterbank ``[n_mels, bins]``.

    The cheapest exact formulation that applies is used: radix, then fold, then full.
    """
    n_fft, power = int(c["n_fft"]), float(c["power"])
    w = audio_window(n_fft, c["win_length"])
    symmetric = n_fft % 2 == 0 and np.allclose(w[1:], w[1:][::-1])

    def mag(p: Any) -> Any:
        if power == 1.0:
            return ops.sqrt(p)
        return p if power == 2.0 else ops.power(p, f32_const(power / 2.0))

    force = c.get("_dft")
    if force in (None, "fft"):
        from ovbuild.frontends.audio_fft import fft_mel

        num_samples = xz.get_output_partial_shape(0)[1].get_length()
        out = fft_mel(ops, xz, idx, c, fb, w, mag, num_samples)
        if out is not None:
            return out
    if force == "full":
        symmetric = False
    if symmetric and n_fft % 4 == 0 and force in (None, "radix"):
        return _radix_mel(ops, xz, idx, w, fb, mag)
    return _direct_mel(ops, xz, idx, w, fb, mag, symmetric)
