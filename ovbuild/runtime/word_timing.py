"""Word timestamps for Whisper from cross-attention, the way faster-whisper (CTranslate2's
``align``) computes them.

The decoder is run once more over ``start sequence, <|notimestamps|>, text, <|endoftext|>``; the
alignment heads' cross-attention scores over the window's encoder frames are softmaxed over the
frames that hold audio, standardized over the tokens, median-filtered over time (width 7) and
averaged over heads. Dynamic time warping through that token x frame matrix gives each token the
frame where it starts; words are runs of tokens (split on spaces, or on whole characters for
languages written without them), timed from their first token's start to the next word's start.
Then faster-whisper's corrections: punctuation merged into its neighbour word, and implausibly long
words (more than twice the median word, capped at 0.7 s) clamped at sentence and segment edges.

:func:`alignment_decoder` makes the scores visible: it adds one output to the artifact's decoder
IR (read again at load time, so no artifact needs rebuilding) that recomputes the scaled
query-key products of the alignment heads from the query and key feeding each cross-attention.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TOKENS_PER_SECOND = 50  # encoder frames per second (10 ms mel frames, stride 2)
MEDIAN_FILTER_WIDTH = 7
#: Languages without spaces between words: split wherever whole characters end (faster-whisper).
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "yue"})
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
SENTENCE_END_MARKS = ".。!！?？"
ALIGNMENT_OUTPUT = "alignment_scores"


@dataclass(frozen=True)
class Word:
    """One word of a segment: seconds on the audio's timeline and the mean token probability."""

    start: float
    end: float
    word: str
    probability: float


@dataclass
class _Timing:
    """A word while it is being timed (mutable: punctuation merging and clamping edit it)."""

    word: str
    tokens: list[int]
    start: float
    end: float
    probability: float


@dataclass
class WindowSegment:
    """A segment of one decoded window, before it becomes a :class:`Segment`: absolute times that
    word timing may move, its ids (timestamps included) and, once timed, its words."""

    start: float
    end: float
    ids: list[int]
    words: list[Word] = field(default_factory=list)


# ---- the alignment model ---------------------------------------------------------------------------


def alignment_heads(generation: dict[str, Any], layers: int, heads: int) -> list[tuple[int, int]]:
    """(layer, head) pairs whose cross-attention follows the speech: the model's own table
    (``alignment_heads`` in ``generation_config.json``, from CTranslate2's ``config.json``), else
    every head of the last half of the decoder layers."""
    table = [(int(layer), int(head)) for layer, head in generation.get("alignment_heads") or []]
    if table:
        return table
    return [(layer, head) for layer in range(layers // 2, layers) for head in range(heads)]


def _cross_attentions(model: Any) -> dict[int, Any]:
    """Decoder layer index -> its cross-attention ``ScaledDotProductAttention`` node."""
    found = {}
    for node in model.get_ordered_ops():
        if node.get_type_name() != "ScaledDotProductAttention":
            continue
        match = re.search(r"layers\.(\d+)\.encoder_attn", node.get_friendly_name())
        if match:
            found[int(match.group(1))] = node
    return found


def decoder_shape(model: Any) -> tuple[int, int]:
    """(decoder layers, attention heads) of the decoder IR ``model``."""
    cross = _cross_attentions(model)
    if not cross:
        return 0, 0
    return len(cross), int(next(iter(cross.values())).input_value(0).get_partial_shape()[1].get_length())


def alignment_decoder(model: Any, heads: list[tuple[int, int]]) -> Any:
    """``model`` (the stateful decoder IR, modified in place) with one more output,
    :data:`ALIGNMENT_OUTPUT` ``[batch, len(heads), tokens, frames]``: for each (layer, head), the
    cross-attention scores before the softmax (query . key x scale), recomputed from the query and
    key the layer's attention reads.

    Raises:
        ValueError: the decoder has no recognizable cross-attention for a listed layer.
    """
    import openvino.opset15 as ops

    cross = _cross_attentions(model)
    if not cross or not heads:
        raise ValueError(
            "word timestamps: the decoder IR has no recognizable cross-attention "
            "(no ScaledDotProductAttention named 'layers.N.encoder_attn'), so no alignment heads"
        )
    scores_of: dict[int, Any] = {}
    rows = []
    for layer, head in heads:
        if layer not in cross:
            raise ValueError(
                f"word timestamps: the decoder has no recognizable cross-attention in layer {layer} "
                f"(found layers {sorted(cross)})"
            )
        if layer not in scores_of:
            sdpa = cross[layer]
            query, key = sdpa.input_value(0), sdpa.input_value(1)
            scores = ops.matmul(query, key, transpose_a=False, transpose_b=True)
            if sdpa.get_input_size() >= 5:
                scale = sdpa.input_value(4)
            else:  # the operation's default scale
                depth = query.get_partial_shape()[3].get_length()
                scale = ops.constant(np.float32(1.0 / np.sqrt(depth)))
            scores_of[layer] = ops.multiply(scores, ops.convert_like(scale, scores))
        rows.append(
            ops.gather(scores_of[layer], ops.constant(np.array([head], np.int64)), ops.constant(np.int64(1)))
        )
    out = rows[0] if len(rows) == 1 else ops.concat(rows, axis=1)
    result = ops.result(ops.convert(out, "f32"))
    result.output(0).set_names({ALIGNMENT_OUTPUT})
    model.add_results([result])
    model.validate_nodes_and_infer_types()
    return model


# ---- from attention to token times --------------------------------------------------------------------


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


# ---- tokens to words ----------------------------------------------------------------------------------


def split_words(tokens: list[int], decode: Any, language: str) -> tuple[list[str], list[list[int]]]:
    """Text ``tokens`` as words: runs cut where whole characters end, then (unless the language is
    written without spaces) joined until a piece starts with a space or is punctuation.
    ``decode(ids) -> str`` is the detokenizer (an incomplete character decodes to U+FFFD)."""
    pieces, piece_tokens = _split_on_characters(tokens, decode)
    if language in NO_SPACE_LANGUAGES:
        return pieces, piece_tokens
    words: list[str] = []
    word_tokens: list[list[int]] = []
    for piece, ids in zip(pieces, piece_tokens, strict=True):
        # A blank or punctuation-only piece (a substring of string.punctuation) is a word of its own.
        if not words or piece.startswith(" ") or piece.strip() in string.punctuation:
            words.append(piece)
            word_tokens.append(list(ids))
        else:
            words[-1] += piece
            word_tokens[-1].extend(ids)
    return words, word_tokens


def _split_on_characters(tokens: list[int], decode: Any) -> tuple[list[str], list[list[int]]]:
    """Runs of tokens that each decode to whole characters (a multi-byte character may span
    tokens); a replacement character the full text itself holds does not hold a run open."""
    full = decode(tokens)
    pieces: list[str] = []
    runs: list[list[int]] = []
    current: list[int] = []
    offset = 0
    for token in tokens:
        current.append(token)
        text = decode(current)
        bad = text.find("\ufffd")
        if bad < 0 or (offset + bad < len(full) and full[offset + bad] == "\ufffd"):
            pieces.append(text)
            runs.append(current)
            current = []
            offset += len(text)
    return pieces, runs


def word_timings(
    text_tokens: list[int],
    starts: np.ndarray,
    token_probs: np.ndarray,
    decode: Any,
    language: str,
) -> list[_Timing]:
    """Words of ``text_tokens`` with window-relative times: ``starts`` holds the start of every
    token and of the end token after them (``len(text_tokens) + 1`` values)."""
    if not text_tokens:
        return []
    words, groups = split_words(text_tokens, decode, language)
    bounds = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(int)
    return [
        _Timing(word, ids, float(starts[a]), float(starts[b]), float(np.mean(token_probs[a:b])))
        for word, ids, a, b in zip(words, groups, bounds[:-1], bounds[1:], strict=True)
    ]


def merge_punctuations(timings: list[_Timing], prepend: str, append: str) -> None:
    """Punctuation joined to its word, as faster-whisper does: opening marks (``prepend``) to the
    word after them, closing marks (``append``) to the word before; the mark's entry is left
    empty and the word keeps its own times."""
    i, j = len(timings) - 2, len(timings) - 1
    while i >= 0:
        before, after = timings[i], timings[j]
        if before.word.startswith(" ") and before.word.strip() in prepend:
            after.word = before.word + after.word
            after.tokens = before.tokens + after.tokens
            before.word, before.tokens = "", []
        else:
            j = i
        i -= 1
    i, j = 0, 1
    while j < len(timings):
        before, after = timings[i], timings[j]
        if not before.word.endswith(" ") and after.word in append:
            before.word += after.word
            before.tokens = before.tokens + after.tokens
            after.word, after.tokens = "", []
        else:
            i = j
        j += 1


def _typical_durations(timings: list[_Timing]) -> tuple[float, float]:
    """(median word duration capped at 0.7 s, twice that): what counts as implausibly long."""
    durations = np.array([t.end - t.start for t in timings])
    durations = durations[durations.nonzero()]
    median = min(0.7, float(np.median(durations))) if len(durations) else 0.0
    return median, 2 * median


def time_window_words(
    segments: list[WindowSegment],
    timings: list[_Timing],
    eot: int,
    window_start: float,
    last_speech: float,
    prepend: str = PREPEND_PUNCTUATIONS,
    append: str = APPEND_PUNCTUATIONS,
) -> float:
    """Give the window's ``segments`` their words (``timings`` of all their text tokens, window
    relative), with faster-whisper's clamping of implausibly long words at sentence ends, after a
    pause and at segment edges; segment start/end move to their words where those are plausible.
    ``eot``: ids from it on are not text. ``last_speech``: where speech last ended (seconds).
    Returns where it ends now."""
    median, longest = _typical_durations(timings)
    if median > 0:
        for i in range(1, len(timings)):
            word = timings[i]
            if word.end - word.start > longest:
                if word.word in SENTENCE_END_MARKS:
                    word.end = word.start + longest
                elif timings[i - 1].word in SENTENCE_END_MARKS:
                    word.start = word.end - longest
    merge_punctuations(timings, prepend, append)
    index = 0
    for segment in segments:
        text_count = sum(1 for t in segment.ids if t < eot)
        taken = 0
        words: list[dict[str, Any]] = []
        while index < len(timings) and taken < text_count:
            timing = timings[index]
            if timing.word:
                words.append(
                    {
                        "word": timing.word,
                        "start": round(window_start + timing.start, 2),
                        "end": round(window_start + timing.end, 2),
                        "probability": timing.probability,
                    }
                )
            taken += len(timing.tokens)
            index += 1
        if words:
            last_speech = _clamp_edges(segment, words, last_speech, median, longest)
        segment.words = [Word(w["start"], w["end"], w["word"], w["probability"]) for w in words]
    return last_speech


def _clamp_edges(
    segment: WindowSegment, words: list[dict[str, Any]], last_speech: float, median: float, longest: float
) -> float:
    """faster-whisper's segment-edge rules: after a pause the first (two) words may not be longer
    than ``longest``; a segment start/end far inside an overlong first/last word wins over it,
    else the segment takes its words' start/end. Returns the segment's (new) end."""
    first = words[0]
    if first["end"] - last_speech > median * 4 and (
        first["end"] - first["start"] > longest
        or (len(words) > 1 and words[1]["end"] - first["start"] > longest * 2)
    ):
        if len(words) > 1 and words[1]["end"] - words[1]["start"] > longest:
            boundary = max(words[1]["end"] / 2, words[1]["end"] - longest)
            first["end"] = words[1]["start"] = boundary
        first["start"] = max(0, first["end"] - longest)
    if segment.start < first["end"] and segment.start - 0.5 > first["start"]:
        first["start"] = max(0, min(first["end"] - median, segment.start))
    else:
        segment.start = first["start"]
    last = words[-1]
    if segment.end > last["start"] and segment.end + 0.5 < last["end"]:
        last["end"] = max(last["start"] + median, segment.end)
    else:
        segment.end = last["end"]
    return segment.end
