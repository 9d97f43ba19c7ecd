"""From cross-attention to token times, as faster-whisper (CTranslate2's ``align``) computes them:
the alignment heads' scores over the window's encoder frames are softmaxed over the frames that
hold audio, standardized over the tokens, median-filtered over time (width 7) and averaged over
heads; dynamic time warping through that token x frame matrix gives each token the frame where it
starts.
"""

from __future__ import annotations

import numpy as np

TOKENS_PER_SECOND = 50  # encoder frames per second (10 ms mel frames, stride 2)
MEDIAN_FILTER_WIDTH = 7


def median_filter(x: np.ndarray, width: int = MEDIAN_FILTER_WIDTH) -> np.ndarray:
    """Median over a sliding window of ``width`` along the last axis, the edges mirrored (the
    edge sample not repeated); an axis no longer than half the width is left as it is."""
    half = width // 2
    if x.shape[-1] <= half:
        return x
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(half, half)], mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width, axis=-1)
    return np.median(windows, axis=-1)


def token_frame_weights(scores: np.ndarray, num_frames: int) -> np.ndarray:
    """``[heads, tokens, frames]`` raw scores -> the ``[tokens, frames]`` matrix DTW walks: softmax
    over the frames holding audio (``num_frames`` mel frames, two per encoder frame), each head
    standardized over the tokens, median-filtered over time, averaged over the heads."""
    frames = max(1, min(scores.shape[-1], num_frames // 2))
    x = scores[..., :frames].astype(np.float64)
    x = np.exp(x - x.max(axis=-1, keepdims=True))
    x /= x.sum(axis=-1, keepdims=True)
    mean = x.mean(axis=-2, keepdims=True)
    std = x.std(axis=-2, keepdims=True)
    x = (x - mean) / np.where(std > 0, std, 1.0)
    return median_filter(x).mean(axis=0)


def dtw_path(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest monotonic path through ``-matrix`` from its first cell to its last, as
    (row indices, column indices); ties prefer moving along the columns (time), as Whisper's
    DTW does. Cells on one anti-diagonal are independent, so each diagonal is one NumPy step."""
    n, m = matrix.shape
    cost = np.full((n + 1, m + 1), np.inf)
    cost[0, 0] = 0.0
    trace = np.full((n + 1, m + 1), -1, np.int8)
    neg = -matrix.astype(np.float64)
    for d in range(2, n + m + 1):
        i = np.arange(max(1, d - m), min(n, d - 1) + 1)
        j = d - i
        c0, c1, c2 = cost[i - 1, j - 1], cost[i - 1, j], cost[i, j - 1]
        diagonal = (c0 < c1) & (c0 < c2)
        down = ~diagonal & (c1 < c0) & (c1 < c2)
        step = np.where(diagonal, 0, np.where(down, 1, 2))
        best = np.where(diagonal, c0, np.where(down, c1, c2))
        cost[i, j] = neg[i - 1, j - 1] + best
        trace[i, j] = step
    trace[0, :] = 2
    trace[:, 0] = 1
    rows, cols = [], []
    i, j = n, m
    while i > 0 or j > 0:
        rows.append(i - 1)
        cols.append(j - 1)
        t = trace[i, j]
        if t == 0:
            i, j = i - 1, j - 1
        elif t == 1:
            i -= 1
        else:
            j -= 1
    return np.array(rows[::-1]), np.array(cols[::-1])


def token_start_times(matrix: np.ndarray) -> np.ndarray:
    """Seconds (into the window) at which each row of ``matrix`` begins on the DTW path."""
    rows, cols = dtw_path(matrix)
    jumps = np.concatenate([[True], np.diff(rows) != 0])
    return cols[jumps] / TOKENS_PER_SECOND
