"""Word timestamps for Whisper, the way faster-whisper computes them, from token start times
(token_alignment.py, over the scores of the alignment decoder in alignment_model.py).

Words are runs of tokens (split on spaces, or on whole characters for languages written without
them), timed from their first token's start to the next word's start. Then faster-whisper's
corrections: punctuation merged into its neighbour word, and implausibly long words (more than
twice the median word, capped at 0.7 s) clamped at sentence and segment edges.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Languages without spaces between words: split wherever whole characters end (faster-whisper).
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "yue"})
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
SENTENCE_END_MARKS = ".。!！?？"


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
