"""What ``model.transcribe`` and ``model.detect_language`` give back: segments, transcripts,
languages, and the error for audio that cannot be transcribed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .word_timing import Word


class TranscribeError(ValueError):
    """The audio cannot be transcribed (silent, longer than the cap, or undecodable)."""


@dataclass(frozen=True)
class Segment:
    """One transcribed stretch; the scores are those faster-whisper reports for its window."""

    start: float
    end: float
    text: str
    tokens: tuple[int, ...] = ()
    temperature: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0
    no_speech_prob: float = 0.0
    #: With ``word_timestamps=True``: the segment's words (see word_timing.py).
    words: tuple[Word, ...] = ()


@dataclass
class Transcript:
    text: str
    segments: list[Segment] = field(default_factory=list)
    duration: float = 0.0
    language: str = "en"
    language_probability: float = 1.0


class Language(NamedTuple):
    """``model.detect_language``'s answer, unpacking like faster-whisper's tuple."""

    language: str
    probability: float
    all_probabilities: list[tuple[str, float]]
