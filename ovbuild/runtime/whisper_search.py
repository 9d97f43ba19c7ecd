"""Whisper's decoding rules and searches over a stateful decoder (standard library + NumPy only).

The rules are the ones faster-whisper/CTranslate2 apply: the suppression list (``config.json``'s
``suppress_ids`` plus the task/start tokens), blank suppression on the first sampled token, and,
when timestamps are asked for, Whisper's timestamp rules (pairs, non-decreasing, a bounded first
timestamp, timestamps forced when they outweigh every text token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_NEG = np.float32(-np.inf)


@dataclass(frozen=True)
class WhisperTokens:
    """Special token ids and suppression lists of one Whisper vocabulary."""

    eot: int
    sot: int
    no_timestamps: int
    timestamp_begin: int
    vocab_size: int
    suppress: tuple[int, ...]
    suppress_begin: tuple[int, ...]
    max_initial_timestamp_index: int = 50

    @classmethod
    def from_generation_config(cls, gen: dict, vocab_size: int) -> WhisperTokens:
        no_ts = int(gen["no_timestamps_token_id"])
        suppress = {int(t) for t in gen.get("suppress_tokens") or []}
        return cls(
            eot=int(gen["eos_token_id"]),
            sot=int(gen["decoder_start_token_id"]),
            no_timestamps=no_ts,
            timestamp_begin=no_ts + 1,
            vocab_size=vocab_size,
            suppress=tuple(sorted(t for t in suppress if 0 <= t < vocab_size)),
            suppress_begin=tuple(int(t) for t in gen.get("begin_suppress_tokens") or []),
            max_initial_timestamp_index=int(gen.get("max_initial_timestamp_index", 50)),
        )

    def prompt(self, timestamps: bool) -> list[int]:
        return [self.sot] if timestamps else [self.sot, self.no_timestamps]


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(axis=-1, keepdims=True)
    return (x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))).astype(np.float32)


def apply_rules(logits: np.ndarray, generated: list[int], tokens: WhisperTokens, timestamps: bool) -> None:
    """Mask, in place, what Whisper may not emit next after ``generated`` (one row of logits)."""
    logits[list(tokens.suppress)] = _NEG
    if not generated:
        logits[list(tokens.suppress_begin)] = _NEG
    if not timestamps:
        return
    tb = tokens.timestamp_begin
    logits[tokens.no_timestamps] = _NEG
    last_ts = len(generated) >= 1 and generated[-1] >= tb
    prev_ts = len(generated) < 2 or generated[-2] >= tb
    if last_ts:
        if prev_ts:  # a closed pair: text (or the end) must follow
            logits[tb:] = _NEG
        else:  # an open pair: close it (or end)
            logits[: tokens.eot] = _NEG
    stamps = [t for t in generated if t >= tb]
    if stamps:
        # non-decreasing; after text, strictly later than the last timestamp
        floor = stamps[-1] if (last_ts and not prev_ts) else stamps[-1] + 1
        logits[tb:floor] = _NEG
    if not generated:
        logits[:tb] = _NEG
        logits[tb + tokens.max_initial_timestamp_index + 1 :] = _NEG
    logprobs = _log_softmax(logits)
    stamp_mass = np.logaddexp.reduce(logprobs[tb:].astype(np.float64))
    if stamp_mass > logprobs[:tb].max():
        logits[:tb] = _NEG


Step = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``step(input_ids [B, n], beam_idx [B]) -> last-position logits [B, vocab]``."""


def greedy(step: Step, tokens: WhisperTokens, timestamps: bool, max_length: int) -> list[int]:
    """Greedy decoding; returns the generated ids (without prompt and end token)."""
    prompt = tokens.prompt(timestamps)
    ids = np.array([prompt], np.int64)
    generated: list[int] = []
    beam_idx = np.zeros(1, np.int32)
    while len(prompt) + len(generated) < max_length:
        row = step(ids, beam_idx)[0].astype(np.float32, copy=True)
        apply_rules(row, generated, tokens, timestamps)
        token = int(row.argmax())
        if token == tokens.eot:
            break
        generated.append(token)
        ids = np.array([[token]], np.int64)
    return generated


def beam_search(
    step: Step,
    tokens: WhisperTokens,
    timestamps: bool,
    max_length: int,
    beam_size: int,
    length_penalty: float = 1.0,
) -> list[int]:
    """Beam search as CTranslate2 runs it for Whisper: ``beam_size`` live hypotheses, stop once
    as many have ended, rank by log-probability / length ** ``length_penalty``."""
    prompt = tokens.prompt(timestamps)
    beams: list[list[int]] = [[] for _ in range(beam_size)]
    scores = np.full(beam_size, -np.inf, np.float64)
    scores[0] = 0.0  # the copies of the prompt are one hypothesis until they diverge
    ids = np.array([prompt] * beam_size, np.int64)
    parents = np.arange(beam_size, dtype=np.int32)
    finished: list[tuple[float, list[int]]] = []
    while len(prompt) + len(beams[0]) < max_length and len(finished) < beam_size:
        logits = step(ids, parents).astype(np.float32, copy=True)
        for b in range(beam_size):
            apply_rules(logits[b], beams[b], tokens, timestamps)
        total = scores[:, None] + _log_softmax(logits).astype(np.float64)
        order = np.argsort(-total, axis=None)[: 2 * beam_size]
        next_beams, next_scores, next_parents = [], [], []
        for flat in order:
            b, token = divmod(int(flat), total.shape[1])
            score = float(total[b, token])
            if not np.isfinite(score):
                break
            if token == tokens.eot:
                length = max(1, len(beams[b]) + 1)
                finished.append((score / length**length_penalty, beams[b]))
                continue
            next_beams.append(beams[b] + [token])
            next_scores.append(score)
            next_parents.append(b)
            if len(next_beams) == beam_size:
                break
        if not next_beams:
            break
        while len(next_beams) < beam_size:  # keep the batch shape; padding rows never win
            next_beams.append(next_beams[0])
            next_scores.append(-np.inf)
            next_parents.append(next_parents[0])
        beams, scores = next_beams, np.array(next_scores)
        parents = np.array(next_parents, np.int32)
        ids = np.array([[b[-1]] for b in beams], np.int64)
    if not finished:
        finished = [
            (float(s) / max(1, len(b)) ** length_penalty, b) for s, b in zip(scores, beams, strict=True)
        ]
    return max(finished, key=lambda item: item[0])[1]


def split_segments(
    ids: list[int], timestamp_begin: int
) -> tuple[list[tuple[int, int, list[int]]], int | None]:
    """Whisper's reading of a window decoded with timestamps.

    Returns:
        ``(segments, resume)``: segments as (start, end, text ids) in timestamp steps of the
        window, and where the next window should start (timestamp steps), or ``None`` when the
        whole window was consumed. A segment left open at the window's end is dropped and
        ``resume`` points at its start, so it is decoded again whole from the next window.
    """
    tb = timestamp_begin
    segments: list[tuple[int, int, list[int]]] = []
    start: int | None = None
    text: list[int] = []
    for token in ids:
        if token < tb:
            text.append(token)
            continue
        step = token - tb
        if start is not None and text:
            segments.append((start, step, text))
            text, start = [], None
        else:
            start = step
    if not text:  # ends on a timestamp: everything up to the window's end is read
        return segments, None
    if not segments:  # no closed segment at all: the window's text runs to its end
        return [(start or 0, -1, text)], None
    return segments, segments[-1][1]
