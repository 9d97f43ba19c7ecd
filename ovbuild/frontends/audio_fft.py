"""Mel-filtered DFT power as a two-stage Cooley-Tukey FFT of MatMuls (part of the audio front-end).

With ``n_fft = A * B`` and ``B`` dividing the hop, tap ``n = B*a + b`` of frame ``f`` is row
``hop*f/B + a`` of the padded waveform cut into rows of ``B`` samples, so framing into
``[A, frames, B]`` is a transpose and a few slices of whole rows (no per-sample ``Gather``); the
window is one elementwise multiply. Then:

* stage 1, one ``MatMul`` of a constant ``[2J, A]`` on the left: the real length-``A`` DFT over
  ``a`` for every ``(frame, b)``, only ``J = A//2 + 1`` frequencies (the rest are conjugates);
* stage 2, one batched ``MatMul`` over ``b`` per stage-1 frequency ``j``: its constant carries the
  twiddles ``W_N^{b k}`` for every needed bin ``k = j (mod A)`` and, through the conjugate,
  ``k = -j (mod A)``, so no twiddle multiply or conjugate gather runs;
* the power, laid out ``[frames, group, bin]``, goes through the mel filterbank's rows in that
  order (one ``MatMul``).

For ``n_fft = 400`` (``25 * 16``) that is about 24k multiply-adds per frame against 40k for the
symmetric-window radix DFT of ``audio_dft``: log-mel of a 10 s clip in 1.1-1.3 ms instead of
1.6-1.8 ms on one core, static shapes. With a dynamic batch the CPU plugin leaves the elementwise
chains unfused and copies the splits (about 3 ms), so the loader compiles embedded front-ends for
one row per request (``runtime/batches.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ovbuild.frontends.audio_dft import f32_const, gather_samples


def _padded_positions(idx: np.ndarray, hop: int) -> np.ndarray | None:
    """The padded signal ``p`` with ``idx[f, n] == p[hop*f + n]`` (sample index per position), or
    None when the frames are not windows of one signal."""
    n_frames, n_fft = idx.shape
    p = np.empty(hop * (n_frames - 1) + n_fft, dtype=np.int64)
    pos = hop * np.arange(n_frames)[:, None] + np.arange(n_fft)[None, :]
    p[pos] = idx
    return p if np.array_equal(p[pos], idx) else None


def split_for(n_fft: int, hop: int, bins: np.ndarray) -> tuple[int, int] | None:
    """``(A, B)`` with ``A * B == n_fft`` and ``B | hop`` of fewest multiply-adds, None if none."""
    best, best_cost = None, math.inf
    for b in range(4, n_fft // 4 + 1):
        if n_fft % b or hop % b:
            continue
        a = n_fft // b
        j = a // 2 + 1
        width = max(len(_group_bins(bins, a, g)) for g in range(j))
        cost = 2 * j * a * b + 2 * j * b * 2 * width
        if cost < best_cost:
            best, best_cost = (a, b), cost
    return best


def _group_bins(bins: np.ndarray, a: int, j: int) -> list[tuple[int, bool]]:
    """The bins stage-2 group ``j`` yields: ``(k, conjugate)`` for ``k = j`` and ``k = -j (mod A)``."""
    out = [(int(k), False) for k in bins if k % a == j]
    if 0 < j and 2 * j != a:
        out += [(int(k), True) for k in bins if k % a == a - j]
    return out


def _cut(ops: Any, x: Any, start: list[int], stop: list[int], axes: list[int]) -> Any:
    """``x[start:stop]`` along ``axes`` only. (A huge stop on the dynamic batch axis instead, e.g.
    ``2**62``, corrupts the heap when the CPU plugin compiles the front-end merged with a model.)"""
    return ops.slice(
        x,
        ops.constant(np.array(start, np.int64)),
        ops.constant(np.array(stop, np.int64)),
        ops.constant(np.ones(len(axes), np.int64)),
        ops.constant(np.array(axes, np.int64)),
    )


def _padded_signal(ops: Any, x: Any, p: np.ndarray, num_samples: int) -> Any:
    """``x`` at positions ``p`` (index ``num_samples`` reads 0): long runs of consecutive samples
    are sliced, everything between them is one ``Gather``."""
    inside = (p >= 0) & (p < num_samples)
    step = np.concatenate([[False], (np.diff(p) == 1) & inside[1:] & inside[:-1]])
    run_start = np.nonzero(~step)[0]
    run_end = np.concatenate([run_start[1:], [len(p)]])
    pieces, gap = [], 0
    for lo, hi in zip(run_start, run_end, strict=True):
        if hi - lo < 64 or not inside[lo]:
            continue
        if gap < lo:
            pieces.append(gather_samples(ops, x, p[gap:lo]))
        pieces.append(_cut(ops, x, [p[lo]], [p[hi - 1] + 1], [1]))
        gap = hi
    if gap < len(p):
        pieces.append(gather_samples(ops, x, p[gap:]))
    return pieces[0] if len(pieces) == 1 else ops.concat(pieces, 1)


def _framed_rows(
    ops: Any, x: Any, p: np.ndarray, num_samples: int, a: int, b: int, hop: int, n_frames: int
) -> Any:
    """``[batch, A, frames, B]``, element ``[a, f, b]`` = tap ``B*a + b`` of frame ``f``.

    The padded signal, cut into ``[G, H, B]`` (``H = hop / B`` rows of ``B`` per hop), is
    transposed to ``[H, G, B]``; tap row ``a = H*q + r`` of frame ``f`` is ``[r, f + q]``, so
    ``ceil(A / H)`` slices along ``G`` concatenated give every tap row."""
    h = hop // b
    q_count = -(-a // h)
    groups = max(n_frames + q_count - 1, -(-len(p) // hop))
    p = np.concatenate([p, np.full(groups * hop - len(p), num_samples)])[: groups * hop]
    padded = _padded_signal(ops, x, p, num_samples)
    grid = ops.reshape(padded, ops.constant(np.array([0, groups, h, b], np.int64)), True)
    grid = ops.transpose(grid, ops.constant(np.array([0, 2, 1, 3], np.int64)))
    parts = []
    for q in range(q_count):
        r = min(h, a - q * h)  # the last slice takes only the tap rows left
        parts.append(_cut(ops, grid, [0, q], [r, q + n_frames], [1, 2]))
    return parts[0] if q_count == 1 else ops.concat(parts, 1)


def _stage2(bins_of: list[list[tuple[int, bool]]], a: int, b: int, n_fft: int, width: int) -> np.ndarray:
    """``[2, 2, J, B, W]``: ``[0]`` multiplies ``Yc_j``, ``[1]`` multiplies ``Ys_j`` (stage 1 gives
    ``Y_j = Yc_j - i Ys_j``); ``[:, 0]`` makes ``Re X_k``, ``[:, 1]`` ``-Im X_k`` of the group's bins.
    Re and Im on an outer axis keep their split a view (a split of the last axis is a copy)."""
    m = np.zeros((2, 2, len(bins_of), b, width))
    bb = np.arange(b)
    for j, group in enumerate(bins_of):
        for c, (k, conj) in enumerate(group):
            th = 2.0 * np.pi * bb * k / n_fft
            cos, sin = np.cos(th), np.sin(th)
            s = 1.0 if conj else -1.0
            # (Yc -/+ i Ys)(cos - i sin): Re = Yc cos -/+ Ys sin, -Im = Yc sin +/- Ys cos
            m[0, 0, j, :, c], m[1, 0, j, :, c] = cos, s * sin
            m[0, 1, j, :, c], m[1, 1, j, :, c] = sin, -s * cos
    return m


def fft_mel(
    ops: Any,
    x: Any,
    idx: np.ndarray,
    c: Mapping[str, Any],
    fb: np.ndarray,
    w: np.ndarray,
    mag: Any,
    num_samples: int,
) -> Any | None:
    """Mel-filtered DFT power ``[batch, frames, n_mels]`` by the two-stage FFT, or None when the
    frames or ``n_fft``/``hop`` do not allow it (the caller then builds a direct DFT)."""
    n_fft, hop = int(c["n_fft"]), int(c["hop_length"])
    nz = np.nonzero(fb.sum(axis=0) > 0)[0]
    if len(nz) == 0:
        raise ValueError("the mel filterbank is empty: check fmin/fmax against the sample rate")
    bins = np.arange(nz[0], nz[-1] + 1)
    split = split_for(n_fft, hop, bins)
    p = _padded_positions(idx, hop) if split else None
    if p is None:
        return None
    a, b = split
    n_frames, j_count = len(idx), a // 2 + 1
    framed = _framed_rows(ops, x, p, num_samples, a, b, hop, n_frames)  # [N, A, F, B]
    framed = ops.multiply(framed, f32_const(w.reshape(a, 1, b)))
    flat = ops.reshape(framed, ops.constant(np.array([0, a, n_frames * b], np.int64)), True)
    ang = 2.0 * np.pi * np.outer(np.arange(j_count), np.arange(a)) / a
    y = ops.matmul(f32_const(np.concatenate([np.cos(ang), np.sin(ang)])), flat, False, False)  # [N, 2J, F*B]
    y = ops.reshape(y, ops.constant(np.array([0, 2, 1, j_count, n_frames, b], np.int64)), True)
    bins_of = [_group_bins(bins, a, j) for j in range(j_count)]
    width = max(len(g) for g in bins_of)
    z = ops.matmul(y, f32_const(_stage2(bins_of, a, b, n_fft, width)), False, False)  # [N, 2, 2, J, F, W]
    parts = ops.split(z, ops.constant(np.int64(1)), 2)
    z = ops.add(parts.output(0), parts.output(1))  # Yc and Ys contributions: [N, 1, 2, J, F, W]
    re_im = ops.split(z, ops.constant(np.int64(2)), 2)
    power = ops.add(
        ops.multiply(re_im.output(0), re_im.output(0)), ops.multiply(re_im.output(1), re_im.output(1))
    )
    # the magnitude before the reshape: the CPU plugin would move an elementwise op after a
    # Reshape up through it, as a new node without the f32 pin
    power = ops.reshape(mag(power), ops.constant(np.array([0, j_count, n_frames, width], np.int64)), True)
    mel_w = np.zeros((j_count, width, fb.shape[0]))
    for j, group in enumerate(bins_of):
        for col, (k, _) in enumerate(group):
            mel_w[j, col] = fb[:, k]
    per_frame = ops.transpose(power, ops.constant(np.array([0, 2, 1, 3], np.int64)))  # [N, F, J, W]
    per_frame = ops.reshape(per_frame, ops.constant(np.array([0, n_frames, j_count * width], np.int64)), True)
    return ops.matmul(per_frame, f32_const(mel_w.reshape(j_count * width, -1)), False, False)  # [N, F, M]
