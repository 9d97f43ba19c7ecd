"""Whisper's window reading and searches (NumPy only, no model): how a window's timestamp tokens
split into segments and where the next window starts, the prompt faster-whisper builds, and the
fallback judgement's inputs (summed log-probability, the no-speech probability)."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.runtime.decode_options import compression_ratio
from ovbuild.runtime.whisper_search import greedy, sample
from ovbuild.runtime.whisper_tokens import WhisperTokens, split_segments

TB = 50364  # <|0.00|> of the multilingual vocabulary


def ts(seconds: float) -> int:
    return TB + round(seconds / 0.02)


def test_window_ending_on_an_open_segment_resumes_at_the_last_complete_one():
    ids = [ts(0), 10, 11, ts(2.0), ts(2.5), 12, ts(4.0), ts(26.0), 13, 14]
    segments, resume = split_segments(ids, TB)
    assert [(s, e) for s, e, _ in segments] == [(0, 100), (125, 200)]
    assert segments[1][2] == [ts(2.5), 12, ts(4.0)]  # timestamps kept for the next prompt
    assert resume == 200  # 4.0 s: the open segment at 26 s is decoded again from there


def test_window_ending_on_a_single_timestamp_is_consumed_whole():
    ids = [ts(0), 10, ts(2.0), ts(3.0), 11, ts(5.0)]
    segments, resume = split_segments(ids, TB)
    assert [(s, e) for s, e, _ in segments] == [(0, 100), (150, 250)]
    assert resume is None


def test_window_without_a_closed_pair_is_one_segment_to_its_last_timestamp():
    segments, resume = split_segments([ts(0), 10, 11, ts(3.0)], TB)
    assert [(s, e) for s, e, _ in segments] == [(0, 150)] and resume is None
    segments, resume = split_segments([10, 11], TB)  # decoded without timestamps
    assert [(s, e) for s, e, _ in segments] == [(0, -1)] and resume is None


def _tokens(multilingual: bool = True) -> WhisperTokens:
    return WhisperTokens.from_generation_config(
        {
            "no_timestamps_token_id": TB - 1,
            "eos_token_id": 50257,
            "decoder_start_token_id": 50258,
            "prev_sot_token_id": 50361,
            "suppress_tokens": [1, 2],
            "begin_suppress_tokens": [220, 50257],
            "is_multilingual": multilingual,
            "lang_to_id": {"<|en|>": 50259, "<|de|>": 50261},
            "task_to_id": {"transcribe": 50359, "translate": 50358},
        },
        TB + 1501,
    )


def test_prompt_is_previous_text_then_language_and_task():
    tokens = _tokens()
    assert tokens.no_speech == TB - 2  # <|nospeech|> sits right before <|notimestamps|>
    assert tokens.prompt(True, "de", "translate") == [50258, 50261, 50358]
    assert tokens.prompt(False, "en", previous=list(range(500))) == [
        50361,
        *range(500 - 223, 500),  # at most half the context, the latest text
        50258,
        50259,
        50359,
        TB - 1,
    ]
    with pytest.raises(ValueError, match="language 'xx'"):
        tokens.prompt(True, "xx")
    english = _tokens(multilingual=False)
    assert english.prompt(True, "en", "translate") == [50258]  # English-only: no language/task tokens


def _step_for(script: list[int], vocab: int, no_speech: float):
    """A decoder stand-in emitting ``script`` then the end token with one-hot-ish logits; the first
    call's logits at the start-of-transcript position give ``no_speech`` to <|nospeech|>."""
    calls = []

    def step(ids: np.ndarray, beam_idx: np.ndarray) -> np.ndarray:
        out = np.zeros((ids.shape[0], ids.shape[1], vocab), np.float32)
        position = len(calls)
        token = script[position] if position < len(script) else 50257
        out[:, -1, token] = 10.0
        if not calls:
            out[:, :, TB - 2] = np.log(no_speech * (vocab - 1) / (1 - no_speech))  # softmax -> no_speech
        calls.append(ids.copy())
        return out

    return step, calls


def test_greedy_reports_the_summed_logprob_and_the_no_speech_probability():
    tokens = _tokens()
    step, calls = _step_for([ts(0), 400, 401, ts(1.0)], tokens.vocab_size, 0.3)
    hyp = greedy(step, tokens, tokens.prompt(True, "en"), True, 448)
    assert hyp.ids == [ts(0), 400, 401, ts(1.0)]
    assert hyp.no_speech_prob == pytest.approx(0.3, abs=0.01)
    assert hyp.logprob < 0 and hyp.avg_logprob == pytest.approx(hyp.logprob / 5)
    assert calls[0].shape == (1, 3) and all(c.shape == (1, 1) for c in calls[1:])


def test_sampling_at_a_temperature_is_reproducible_and_batched():
    tokens = _tokens()
    step, calls = _step_for([ts(0), 400, 401, ts(1.0)], tokens.vocab_size, 0.1)
    first = sample(step, tokens, [50258, 50259, 50359], True, 20, 1.0, 5, np.random.default_rng(0))
    step2, _ = _step_for([ts(0), 400, 401, ts(1.0)], tokens.vocab_size, 0.1)
    second = sample(step2, tokens, [50258, 50259, 50359], True, 20, 1.0, 5, np.random.default_rng(0))
    assert first.ids == second.ids
    assert calls[0].shape[0] == 5  # best_of rows side by side


def test_compression_ratio_flags_repetition():
    assert compression_ratio("the the the the the the the the the the the the the the the") > 2.4
    assert compression_ratio("The quick brown fox jumps over the lazy dog.") < 1.5


def test_repetition_bounds_forbid_a_repeated_ngram_and_damp_seen_tokens():
    from ovbuild.runtime.whisper_search import Repetition

    logits = np.full(10, 2.0, np.float32)
    logits[3] = -1.0
    Repetition(no_repeat_ngram_size=2).apply(logits, [5, 6, 7, 5])  # "5 6" seen: 6 may not follow 5
    assert logits[6] == -np.inf and np.isfinite(logits[7])
    logits = np.full(10, 2.0, np.float32)
    logits[3] = -1.0
    Repetition(penalty=2.0).apply(logits, [3, 4])
    assert (logits[4], logits[3], logits[5]) == (1.0, -2.0, 2.0)
    untouched = np.full(10, 2.0, np.float32)
    Repetition().apply(untouched, [1, 2, 1, 2])
    assert (untouched == 2.0).all()
