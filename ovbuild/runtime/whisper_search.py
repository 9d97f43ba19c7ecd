"""Whisper's decoding rules and searches over a stateful decoder (standard library + NumPy only).

The rules are the ones faster-whisper/CTranslate2 apply: the suppression list (``config.json``'s
``suppress_ids`` plus the task/start tokens), blank suppression on the first sampled token, and,
when timestamps are asked for, Whisper's timestamp rules (pairs, non-decreasing, a bounded first
timestamp, timestamps forced when they outweigh every text token). Every search returns a
:class:`Hypothesis` carrying what faster-whisper's fallback judges a window by: the summed
log-probability and the probability of ``<|nospeech|>`` at the start of the transcript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .whisper_tokens import WhisperTokens

_NEG = np.float32(-np.inf)


@dataclass
class Hypothesis:
    """One decoded window: the generated ids (no prompt, no end token), their summed
    log-probability (end token included when it was emitted) and ``<|nospeech|>``'s probability."""

    ids: list[int]
    logprob: float
    no_speech_prob: float = 0.0

    @property
    def avg_logprob(self) -> float:
        # faster-whisper divides by the generated length + 1 (the end token).
        return self.logprob / (len(self.ids) + 1)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(axis=-1, keepdims=True)
    return (x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))).astype(np.float32)


def _logprob_of(row: np.ndarray, token: int) -> float:
    """log softmax(row)[token] without materializing the whole distribution."""
    top = float(row.max())
    return float(row[token]) - top - float(np.log(np.exp(row - top).sum(dtype=np.float64)))


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


@dataclass(frozen=True)
class Repetition:
    """faster-whisper's bounds on repetition (off by default, as there): ``penalty`` > 1 makes
    every token generated before less likely; ``no_repeat_ngram_size`` n forbids any n-gram twice."""

    penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    def apply(self, logits: np.ndarray, generated: list[int]) -> None:
        if self.penalty != 1.0 and generated:
            seen = np.unique(np.array(generated, np.int64))
            values = logits[seen]
            logits[seen] = np.where(values > 0, values / self.penalty, values * self.penalty)
        n = self.no_repeat_ngram_size
        if n > 0 and len(generated) >= n:
            head = tuple(generated[len(generated) - n + 1 :])
            banned = [
                generated[i + n - 1]
                for i in range(len(generated) - n + 1)
                if tuple(generated[i : i + n - 1]) == head
            ]
            logits[banned] = _NEG


NO_REPETITION_BOUND = Repetition()

Step = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``step(input_ids [B, n], beam_idx [B]) -> logits [B, m, vocab]``: the last m <= n fed
positions (at least the start-of-transcript sequence on the first step)."""


def _no_speech_prob(logits: np.ndarray, prompt: list[int], tokens: WhisperTokens) -> float:
    """Probability of ``<|nospeech|>`` right after ``<|startoftranscript|>`` (raw logits, as
    CTranslate2 computes it), from the first step's logits over the whole prompt."""
    if not 0 <= tokens.no_speech < logits.shape[-1]:
        return 0.0
    # The decoder may return only the last positions' logits: index from the end.
    row = logits[0, prompt.index(tokens.sot) - len(prompt) + logits.shape[1]]
    return float(np.exp(_log_softmax(row)[tokens.no_speech]))


def greedy(
    step: Step,
    tokens: WhisperTokens,
    prompt: list[int],
    timestamps: bool,
    max_length: int,
    repetition: Repetition = NO_REPETITION_BOUND,
) -> Hypothesis:
    """Greedy decoding (temperature 0)."""
    return sample(step, tokens, prompt, timestamps, max_length, 0.0, 1, None, repetition)


def sample(
    step: Step,
    tokens: WhisperTokens,
    prompt: list[int],
    timestamps: bool,
    max_length: int,
    temperature: float,
    best_of: int,
    rng: np.random.Generator | None,
    repetition: Repetition = NO_REPETITION_BOUND,
) -> Hypothesis:
    """``best_of`` sequences sampled at ``temperature`` side by side in one batch (greedy at 0);
    the one with the highest summed log-probability wins, as CTranslate2 ranks its hypotheses."""
    rows = 1 if temperature <= 0 else best_of
    ids = np.array([prompt] * rows, np.int64)
    generated: list[list[int]] = [[] for _ in range(rows)]
    scores = np.zeros(rows, np.float64)
    done = np.zeros(rows, bool)
    beam_idx = np.arange(rows, dtype=np.int32)
    no_speech = None
    while len(prompt) + len(generated[0]) < max_length and not done.all():
        logits = step(ids, beam_idx)
        if no_speech is None:
            no_speech = _no_speech_prob(logits, prompt, tokens)
        last = logits[:, -1, :].astype(np.float32, copy=True)
        next_ids = np.full((rows, 1), tokens.eot, np.int64)
        for r in range(rows):
            if done[r]:
                continue
            repetition.apply(last[r], generated[r])
            apply_rules(last[r], generated[r], tokens, timestamps)
            if temperature <= 0:
                token = int(last[r].argmax())
                scores[r] += _logprob_of(last[r], token)
            else:
                logprobs = _log_softmax(last[r] / np.float32(temperature))
                probs = np.exp(logprobs.astype(np.float64))
                token = int(rng.choice(len(probs), p=probs / probs.sum()))
                scores[r] += float(logprobs[token])
            if token == tokens.eot:
                done[r] = True
                continue
            generated[r].append(token)
            next_ids[r, 0] = token
        ids = next_ids
    best = int(np.argmax(scores))
    return Hypothesis(generated[best], float(scores[best]), no_speech or 0.0)


def beam_search(
    step: Step,
    tokens: WhisperTokens,
    prompt: list[int],
    timestamps: bool,
    max_length: int,
    beam_size: int,
    length_penalty: float = 1.0,
    repetition: Repetition = NO_REPETITION_BOUND,
) -> Hypothesis:
    """Beam search as CTranslate2 runs it for Whisper: ``beam_size`` live hypotheses, stop once
    as many have ended, rank by log-probability / length ** ``length_penalty``."""
    beams: list[list[int]] = [[] for _ in range(beam_size)]
    scores = np.full(beam_size, -np.inf, np.float64)
    scores[0] = 0.0  # the copies of the prompt are one hypothesis until they diverge
    ids = np.array([prompt] * beam_size, np.int64)
    parents = np.arange(beam_size, dtype=np.int32)
    finished: list[tuple[float, float, list[int]]] = []
    no_speech = None
    while len(prompt) + len(beams[0]) < max_length and len(finished) < beam_size:
        full = step(ids, parents)
        if no_speech is None:
            no_speech = _no_speech_prob(full, prompt, tokens)
        logits = full[:, -1, :].astype(np.float32, copy=True)
        for b in range(beam_size):
            repetition.apply(logits[b], beams[b])
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
                finished.append((score / length**length_penalty, score, beams[b]))
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
            (float(s) / max(1, len(b)) ** length_penalty, float(s), b)
            for s, b in zip(scores, beams, strict=True)
        ]
    _, logprob, best = max(finished, key=lambda item: item[0])
    return Hypothesis(best, logprob, no_speech or 0.0)
