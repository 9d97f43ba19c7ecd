"""Long audio through Whisper's 30 s window, as faster-whisper's ``generate_segments`` walks it.

Each window starts where the last complete segment of the one before ended (read off its
timestamp tokens), is decoded with the temperature fallback (:func:`decode_with_fallback`),
skipped when it holds no speech (:func:`no_speech`), and prompted with the text before it while
``condition_on_previous_text`` holds and decoding stayed below ``prompt_reset_on_temperature``.
With word timestamps the next window starts where the last word ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from .decode_options import DecodeOptions, compression_ratio
from .hallucination import silence_skip
from .token_alignment import token_frame_weights, token_start_times
from .transcript import Segment
from .whisper_requests import WhisperRequests
from .whisper_search import Hypothesis
from .whisper_tokens import split_segments
from .word_timing import WindowSegment, time_window_words, word_timings

SAMPLE_RATE = 16000
HOP = 160
WINDOW = 30 * SAMPLE_RATE
FRAMES = WINDOW // HOP
SECONDS_PER_TIMESTAMP = 0.02
STRIDE = 2  # mel frames per timestamp step
MIN_FRAMES = 10  # a tail shorter than 0.1 s holds no word


def window_segments(
    requests: WhisperRequests, samples: np.ndarray, opts: DecodeOptions, prompt: tuple[int, ...] = ()
) -> Iterator[Segment]:
    """Segments of 16 kHz mono ``samples``, window after window (``opts.language`` is set).
    ``prompt``: text ids before the audio (the live transcriber's earlier utterances)."""
    tokens = requests.tokens
    duration = len(samples) / SAMPLE_RATE
    content_frames = len(samples) // HOP
    timestamps = not opts.without_timestamps
    rng = np.random.default_rng(opts.seed)
    previous: list[int] = list(prompt)  # the ids that prompt the next window
    seek = 0  # in mel frames (10 ms)
    last_speech = 0.0  # where the last word ended (word timestamps' pause rule)
    while seek < content_frames:
        size = min(FRAMES, content_frames - seek)
        if size < MIN_FRAMES:
            break
        offset = seek * HOP / SAMPLE_RATE
        encoded = requests.encode(window(samples, seek, size), size)
        prompt = tokens.prompt(timestamps, opts.language, opts.task, previous, requests.max_length)
        hyp, temperature, ratio = decode_with_fallback(requests, encoded, prompt, timestamps, opts, rng)
        if no_speech(hyp, opts):
            seek += size
            continue
        pieces, resume = read_window(
            hyp, tokens.timestamp_begin, offset, size * HOP / SAMPLE_RATE, duration, timestamps
        )
        # A timestamp step is two mel frames; a window that closed nothing moves on whole.
        advance = size if resume is None else resume * STRIDE
        next_seek = seek + (advance if advance > 0 else size)
        if opts.word_timestamps and pieces:
            next_seek, last_speech, again = _words_and_seek(
                requests, pieces, hyp, encoded, (seek, size, content_frames), opts, last_speech, next_seek
            )
            if again:  # a hallucination after silence: decode again from where it starts
                seek = next_seek
                continue
        for segment in segments_of(requests, pieces, hyp):
            previous += segment.tokens
            yield replace(segment, temperature=temperature, compression_ratio=ratio)
        seek = next_seek
        if not opts.condition_on_previous_text or temperature > opts.prompt_reset_on_temperature:
            previous = []


def _words_and_seek(
    requests: WhisperRequests,
    pieces: list[WindowSegment],
    hyp: Hypothesis,
    encoded: np.ndarray,
    frames: tuple[int, int, int],
    opts: DecodeOptions,
    last_speech: float,
    next_seek: int,
) -> tuple[int, float, bool]:
    """Time the words of a window's ``pieces`` and settle where the next window starts, as
    faster-whisper does: after the last word (unless the window ended on a single timestamp), or,
    with ``hallucination_silence_threshold``, past the silence before a likely hallucination
    (hallucination.py; the pieces from it on are dropped). ``frames``: the window's first mel
    frame, its frames of audio, the audio's frames in all.

    Returns:
        ``(next seek, where speech last ended, whether the window is to be decoded again whole
        from the next seek)``.
    """
    seek, size, content_frames = frames
    offset = seek * HOP / SAMPLE_RATE
    time_words(requests, pieces, encoded, size, offset, opts, last_speech)
    tb = requests.tokens.timestamp_begin
    single_ending = not opts.without_timestamps and len(hyp.ids) >= 2 and hyp.ids[-2] < tb <= hyp.ids[-1]
    last_end = _last_word_end(pieces)
    if not single_ending and last_end > offset:
        next_seek = round(last_end * SAMPLE_RATE / HOP)
    threshold = opts.hallucination_silence_threshold
    if threshold is not None:
        skip = silence_skip(pieces, threshold, seek, size, last_speech, content_frames)
        if skip is not None and skip.again:
            return skip.seek, last_speech, True  # nothing of this window is kept
        if skip is not None:
            del pieces[skip.keep :]
            next_seek = skip.seek
    return next_seek, (_last_word_end(pieces) if pieces else last_speech), False


def _last_word_end(pieces: list[WindowSegment]) -> float:
    """Where the last word of ``pieces`` ends (the last piece's end when none has words)."""
    return next((w.end for p in reversed(pieces) for w in reversed(p.words)), pieces[-1].end)


def window(samples: np.ndarray, seek: int, frames: int) -> np.ndarray:
    """The 30 s encoder input at mel frame ``seek``: ``frames`` frames of audio, zeros after."""
    out = np.zeros((1, WINDOW), np.float32)
    chunk = samples[seek * HOP : (seek + frames) * HOP]
    out[0, : len(chunk)] = chunk
    return out


def decode_with_fallback(
    requests: WhisperRequests,
    encoded: np.ndarray,
    prompt: list[int],
    timestamps: bool,
    opts: DecodeOptions,
    rng: Any,
) -> tuple[Hypothesis, float, float]:
    """faster-whisper's ``generate_with_fallback``: decode at each temperature in turn until
    the text is neither too repetitive (compression ratio) nor too improbable (average
    log-probability); a window judged silent needs no retry. When every temperature fails,
    the most probable result under the ratio threshold (or of all) is kept."""
    tried: list[tuple[Hypothesis, float, float]] = []
    below_ratio: list[tuple[Hypothesis, float, float]] = []
    for temperature in opts.temperature:
        hyp = requests.decode(encoded, prompt, timestamps, opts, temperature, rng)
        ratio = compression_ratio(requests.text(hyp.ids).strip())
        result = (hyp, temperature, ratio)
        tried.append(result)
        retry = False
        if opts.compression_ratio_threshold is not None:
            if ratio > opts.compression_ratio_threshold:
                retry = True  # too repetitive
            else:
                below_ratio.append(result)
        low = opts.log_prob_threshold is not None and hyp.avg_logprob < opts.log_prob_threshold
        if low:
            retry = True
        if low and opts.no_speech_threshold is not None and hyp.no_speech_prob > opts.no_speech_threshold:
            retry = False  # silence: the no-speech check drops it
        if not retry:
            return result
    hyp, _, ratio = max(below_ratio or tried, key=lambda r: r[0].avg_logprob)
    return hyp, opts.temperature[-1], ratio  # the last temperature decides the prompt reset


def no_speech(hyp: Hypothesis, opts: DecodeOptions) -> bool:
    """faster-whisper's no-voice check: ``<|nospeech|>`` likely, and the text not confident."""
    if opts.no_speech_threshold is None or hyp.no_speech_prob <= opts.no_speech_threshold:
        return False
    return opts.log_prob_threshold is None or hyp.avg_logprob <= opts.log_prob_threshold


def read_window(
    hyp: Hypothesis, timestamp_begin: int, offset: float, length: float, duration: float, timestamps: bool
) -> tuple[list[WindowSegment], int | None]:
    """The window's pieces on the file's timeline (clamped to the audio's end) and the
    timestamp step to resume from."""
    found, resume = split_segments(hyp.ids, timestamp_begin) if timestamps else ([(0, -1, hyp.ids)], None)
    pieces = []
    for start, end, ids in found:
        first = min(offset + start * SECONDS_PER_TIMESTAMP, duration)
        last = min(offset + (length if end < 0 else end * SECONDS_PER_TIMESTAMP), duration)
        pieces.append(WindowSegment(first, last, list(ids)))
    return pieces, resume


def segments_of(requests: WhisperRequests, pieces: list[WindowSegment], hyp: Hypothesis) -> list[Segment]:
    """The window's segments; empty ones dropped, as faster-whisper does."""
    segments = []
    for piece in pieces:
        text = requests.text(piece.ids)
        if piece.start < piece.end and text.strip():
            segments.append(
                Segment(
                    piece.start,
                    piece.end,
                    text,
                    tuple(piece.ids),
                    avg_logprob=hyp.avg_logprob,
                    no_speech_prob=hyp.no_speech_prob,
                    words=tuple(piece.words),
                )
            )
    return segments


def time_words(
    requests: WhisperRequests,
    pieces: list[WindowSegment],
    encoded: np.ndarray,
    frames: int,
    offset: float,
    opts: DecodeOptions,
    last_speech: float,
) -> float:
    """Give the window's ``pieces`` their words (word_timing.py); returns where speech last
    ended."""
    eot = requests.tokens.eot
    text = [t for piece in pieces for t in piece.ids if t < eot]
    if not text:
        return last_speech
    start = requests.tokens.sot_sequence(opts.language, opts.task)
    scores, probs = requests.align(encoded, start, text)
    matrix = token_frame_weights(scores, frames)[len(start) : -1]
    timings = word_timings(text, token_start_times(matrix), probs, requests.text, opts.language or "en")
    return time_window_words(
        pieces, timings, eot, offset, last_speech, opts.prepend_punctuations, opts.append_punctuations
    )
