"""The pieces of word timing (alignment_model.py, token_alignment.py, word_timing.py) on small
hand-made inputs: no model needed."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.runtime.alignment_model import alignment_heads
from ovbuild.runtime.token_alignment import dtw_path, median_filter, token_start_times
from ovbuild.runtime.word_timing import _Timing, merge_punctuations, split_words


def test_median_filter_mirrors_the_edges_like_scipy():
    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    x = np.random.default_rng(0).standard_normal((3, 4, 40))
    expected = scipy_ndimage.median_filter(x, size=(1, 1, 7), mode="mirror")
    np.testing.assert_allclose(median_filter(x, 7), expected)
    short = x[..., :3]
    assert median_filter(short, 7) is short  # too short to filter: left as it is


def _dtw_by_loops(x: np.ndarray) -> list[tuple[int, int]]:
    """The textbook dynamic-programming loops (cost of -x), to check the diagonal-wise version."""
    n, m = x.shape
    cost = np.full((n + 1, m + 1), np.inf)
    cost[0, 0] = 0
    trace = np.zeros((n + 1, m + 1), int)
    for j in range(1, m + 1):
        for i in range(1, n + 1):
            options = [cost[i - 1, j - 1], cost[i - 1, j], cost[i, j - 1]]
            if options[0] < options[1] and options[0] < options[2]:
                t = 0
            elif options[1] < options[0] and options[1] < options[2]:
                t = 1
            else:
                t = 2
            cost[i, j] = -x[i - 1, j - 1] + options[t]
            trace[i, j] = t
    trace[0, :], trace[:, 0] = 2, 1
    path, i, j = [], n, m
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        i, j = {0: (i - 1, j - 1), 1: (i - 1, j), 2: (i, j - 1)}[trace[i, j]]
    return path[::-1]


def test_dtw_equals_the_textbook_loops_and_times_each_row():
    rng = np.random.default_rng(1)
    for n, m in ((1, 5), (4, 4), (7, 30), (12, 9)):
        x = rng.standard_normal((n, m)).astype(np.float32)
        rows, cols = dtw_path(x)
        assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == _dtw_by_loops(x)
    # Three tokens over 12 frames, token k heard in frames 4k..4k+3: each starts where it is heard.
    matrix = -np.ones((3, 12))
    for k in range(3):
        matrix[k, 4 * k : 4 * k + 4] = 1.0
    np.testing.assert_allclose(token_start_times(matrix), [0.0, 4 / 50, 8 / 50])


def test_words_split_on_spaces_and_punctuation():
    pieces = {1: " Hello", 2: ",", 3: " wor", 4: "ld", 5: ".", 6: " (", 7: "yes"}

    def decode(ids):
        return "".join(pieces[i] for i in ids)

    words, groups = split_words([1, 2, 3, 4, 5, 6, 7], decode, "en")
    # A piece without a leading space joins the word before it, punctuation included.
    assert words == [" Hello", ",", " world", ".", " (yes"]
    assert groups == [[1], [2], [3, 4], [5], [6, 7]]
    # Languages written without spaces keep every whole-character piece.
    assert split_words([3, 4], decode, "ja")[0] == [" wor", "ld"]


def test_punctuation_joins_its_word_and_keeps_the_words_times():
    timings = [
        _Timing(" (", [1], 0.0, 0.1, 0.9),
        _Timing("yes", [2], 0.1, 0.5, 0.8),
        _Timing(").", [3], 0.5, 0.6, 0.7),
        _Timing(" no", [4], 0.6, 0.9, 0.6),
        _Timing(".", [5], 0.9, 1.0, 0.5),
    ]
    merge_punctuations(timings, "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、")
    assert [t.word for t in timings] == ["", " (yes", ").", " no.", ""]
    assert (timings[1].start, timings[1].end, timings[1].tokens) == (0.1, 0.5, [1, 2])
    assert (timings[3].start, timings[3].end, timings[3].tokens) == (0.6, 0.9, [4, 5])


def test_alignment_heads_come_from_the_table_or_the_last_half_of_the_layers():
    assert alignment_heads({"alignment_heads": [[2, 0], [3, 4]]}, 4, 6) == [(2, 0), (3, 4)]
    assert alignment_heads({}, 4, 2) == [(2, 0), (2, 1), (3, 0), (3, 1)]


def test_a_decoder_without_cross_attention_is_refused_clearly():
    import openvino as ov
    import openvino.opset15 as ops

    from ovbuild.runtime.alignment_model import alignment_decoder

    x = ops.parameter([1, 4], np.float32, name="x")
    model = ov.Model([ops.relu(x)], [x], "no_attention")
    with pytest.raises(ValueError, match="no recognizable cross-attention"):
        alignment_decoder(model, [(0, 0)])
