"""faster-whisper's ``hallucination_silence_threshold``: with word timestamps, a segment whose words
look made up (improbable, implausibly short or long) and that sits in silence is taken for a
hallucination; the silence before it is skipped and decoding goes on from there.

Two rules, in faster-whisper's order, for one decoded window:

- the window's first segment with words is suspect and starts more than the threshold after the
  window does: the window is dropped whole and decoded again from that segment's start;
- otherwise a suspect segment with silence (or another suspect segment, or the window's edge)
  on both sides ends the window: it and everything after it are dropped, and the next window
  starts at it (at least 1 s after this one started), or at the end of the audio when less than
  the threshold is left after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .word_timing import WindowSegment, Word

FRAMES_PER_SECOND = 100  # Whisper's 10 ms mel frames: ``seek`` counts them
WINDOW_FRAMES = 3000  # one 30 s window
#: Words scored are those whose text occurs in this string (faster-whisper's punctuation).
PUNCTUATION = "\"'“¿([{-\"'.。,，!！?？:：”)]}、"
SCORED_WORDS = 8  # a segment is judged by its first eight words
LOW_PROBABILITY = 0.15
SHORTEST_WORD = 0.133  # seconds: shorter words add to the score, 15 a second missing
LONGEST_WORD = 2.0  # seconds: longer words add their excess
EDGE = 2.0  # seconds: this close to the window's start or end counts as silence


@dataclass(frozen=True)
class Skip:
    """What to do with a window holding a likely hallucination: go on from mel frame ``seek``,
    keeping its first ``keep`` segments, or (``again``) none of them, decoding from ``seek``."""

    seek: int
    keep: int = 0
    again: bool = False


def word_anomaly(word: Word) -> float:
    """How made up a word looks: 1 when improbable, plus how much too short or too long it is."""
    duration = word.end - word.start
    score = 1.0 if word.probability < LOW_PROBABILITY else 0.0
    if duration < SHORTEST_WORD:
        score += (SHORTEST_WORD - duration) * 15
    if duration > LONGEST_WORD:
        score += duration - LONGEST_WORD
    return score


def is_anomaly(segment: WindowSegment | None) -> bool:
    """A segment is suspect when its first words (punctuation aside) score 3 or more, or about
    one a word."""
    if segment is None or not segment.words:
        return False
    words = [w for w in segment.words if w.word not in PUNCTUATION][:SCORED_WORDS]
    score = sum(word_anomaly(w) for w in words)
    return score >= 3 or score + 0.01 >= len(words)


def _first_with_words(segments: list[WindowSegment]) -> WindowSegment | None:
    return next((s for s in segments if s.words), None)


def silence_skip(
    segments: list[WindowSegment],
    threshold: float,
    seek: int,
    size: int,
    last_speech: float,
    content_frames: int,
) -> Skip | None:
    """The skip faster-whisper makes for a window of timed ``segments`` at mel frame ``seek``
    (``size`` frames of audio, of ``content_frames`` in all), or ``None``. ``last_speech``: where
    the last word before the window ended (seconds); ``threshold``: the silence that counts."""
    offset = seek / FRAMES_PER_SECOND
    first = _first_with_words(segments)
    if is_anomaly(first):
        gap = first.start - offset
        if gap > threshold:
            # At least one frame on: rounding must not leave the walk where it was.
            return Skip(seek + max(1, round(gap * FRAMES_PER_SECOND)), again=True)
    index = _between_silences(segments, threshold, last_speech, offset, offset + size / FRAMES_PER_SECOND)
    if index is None:
        return None
    suspect = segments[index]
    resume = round(max(offset + 1, suspect.start) * FRAMES_PER_SECOND)
    if content_frames / FRAMES_PER_SECOND - suspect.end < threshold:
        resume = content_frames
    return Skip(resume, keep=index)


def _between_silences(
    segments: list[WindowSegment], threshold: float, last_speech: float, offset: float, audio_end: float
) -> int | None:
    """Index of the first suspect segment with silence before and after it, in a window starting
    at ``offset`` whose audio ends at ``audio_end`` (seconds)."""
    window_end = offset + WINDOW_FRAMES / FRAMES_PER_SECOND  # the whole 30 s, as faster-whisper
    previous_end = last_speech
    for i, segment in enumerate(segments):
        if not segment.words:
            continue
        if is_anomaly(segment):
            following = _first_with_words(segments[i + 1 :])
            next_start = following.words[0].start if following else audio_end
            before = (
                segment.start - previous_end > threshold
                or segment.start < threshold
                or segment.start - offset < EDGE
            )
            after = (
                next_start - segment.end > threshold
                or is_anomaly(following)
                or window_end - segment.end < EDGE
            )
            if before and after:
                return i
        previous_end = segment.end
    return None
