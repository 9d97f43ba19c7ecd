"""faster-whisper's hallucination rules (hallucination.py) on hand-made timed segments: no model
needed. The whole-file comparison with faster-whisper is in test_transcribe_words.py."""

from __future__ import annotations

import pytest

from ovbuild.runtime.decode_options import DecodeOptions
from ovbuild.runtime.hallucination import is_anomaly, silence_skip, word_anomaly
from ovbuild.runtime.word_timing import WindowSegment, Word


def _segment(start: float, words: list[tuple[float, float, float]]) -> WindowSegment:
    """A segment of words ``(start, end, probability)`` (all named " w")."""
    timed = [Word(a, b, " w", p) for a, b, p in words]
    return WindowSegment(start, timed[-1].end if timed else start, [], timed)


def _speech(start: float) -> WindowSegment:
    """Three plausible words: 0.3 s each, probable."""
    return _segment(start, [(start + 0.3 * i, start + 0.3 * (i + 1), 0.9) for i in range(3)])


def _made_up(start: float) -> WindowSegment:
    """Three improbable words of 0.05 s."""
    return _segment(start, [(start + 0.05 * i, start + 0.05 * (i + 1), 0.1) for i in range(3)])


def test_words_score_by_probability_and_duration():
    assert word_anomaly(Word(0.0, 0.3, " a", 0.9)) == 0.0
    assert word_anomaly(Word(0.0, 0.3, " a", 0.1)) == 1.0
    assert word_anomaly(Word(0.0, 0.033, " a", 0.9)) == pytest.approx(1.5)
    assert word_anomaly(Word(0.0, 3.5, " a", 0.9)) == pytest.approx(1.5)
    assert not is_anomaly(_speech(1.0)) and is_anomaly(_made_up(1.0))
    assert not is_anomaly(None) and not is_anomaly(_segment(1.0, []))
    # Punctuation does not count: a lone "." among plausible words changes nothing.
    marked = _speech(1.0)
    marked.words.append(Word(1.9, 1.9, ".", 0.01))
    assert not is_anomaly(marked)


def test_a_made_up_first_segment_after_silence_decodes_the_window_again_from_it():
    skip = silence_skip(
        [_made_up(14.0), _speech(16.0)], 2.0, seek=1000, size=3000, last_speech=9.0, content_frames=6000
    )
    assert skip is not None and skip.again and skip.seek == 1400  # 10 s + the 4 s of silence
    # Silence shorter than the threshold: the first rule does not apply.
    assert silence_skip([_made_up(11.0), _speech(11.5)], 2.0, 1000, 3000, 9.0, 6000) is None


def test_a_made_up_segment_between_silences_ends_the_window():
    segments = [_speech(1.0), _speech(3.0), _made_up(10.0), _speech(20.0)]
    skip = silence_skip(segments, 2.0, seek=0, size=3000, last_speech=0.0, content_frames=6000)
    assert skip is not None and not skip.again and (skip.keep, skip.seek) == (2, 1000)
    # Speech right after it: not surrounded by silence, nothing skipped.
    close = [_speech(1.0), _speech(3.0), _made_up(10.0), _speech(10.5)]
    assert silence_skip(close, 2.0, 0, 3000, 0.0, 6000) is None
    # Near the window's end, with less than the threshold of audio left after it: the walk ends.
    skip = silence_skip([_speech(1.0), _made_up(28.5)], 2.0, 0, 3000, 0.0, content_frames=3000)
    assert skip is not None and (skip.keep, skip.seek) == (1, 3000)


def test_the_threshold_is_checked_and_needs_word_timestamps():
    for bad in (-1.0, "2", float("nan")):
        with pytest.raises(ValueError, match="hallucination_silence_threshold"):
            DecodeOptions(word_timestamps=True, hallucination_silence_threshold=bad)
    with pytest.warns(UserWarning, match="word_timestamps=True"):
        DecodeOptions(hallucination_silence_threshold=2.0)
