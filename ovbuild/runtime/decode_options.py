"""How Whisper windows are decoded: faster-whisper's ``transcribe`` options (:class:`DecodeOptions`)
and the compression ratio its fallback judges text by."""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass

from .word_timing import APPEND_PUNCTUATIONS, PREPEND_PUNCTUATIONS


@dataclass(frozen=True)
class DecodeOptions:
    """How windows are decoded: faster-whisper's ``transcribe`` options, names and defaults
    (``beam_size`` excepted: greedy unless asked)."""

    language: str | None = None
    task: str = "transcribe"
    beam_size: int = 1
    best_of: int = 5
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6
    condition_on_previous_text: bool = True
    prompt_reset_on_temperature: float = 0.5
    without_timestamps: bool = False
    length_penalty: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    seed: int = 0  # sampled fallbacks are reproducible: one generator per call
    word_timestamps: bool = False
    prepend_punctuations: str = PREPEND_PUNCTUATIONS
    append_punctuations: str = APPEND_PUNCTUATIONS
    #: With word timestamps: skip silence longer than this (seconds) before a likely
    #: hallucination (hallucination.py).
    hallucination_silence_threshold: float | None = None

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise ValueError(f"beam_size must be at least 1, got {self.beam_size}")
        if self.best_of < 1:
            raise ValueError(f"best_of must be at least 1, got {self.best_of}")
        temps = self.temperature if isinstance(self.temperature, (list, tuple)) else (self.temperature,)
        if not temps or any(not 0 <= float(t) <= 2 for t in temps):
            raise ValueError(f"temperature must be in [0, 2] (one value or a list), got {self.temperature!r}")
        object.__setattr__(self, "temperature", tuple(float(t) for t in temps))
        if self.repetition_penalty <= 0 or self.no_repeat_ngram_size < 0:
            raise ValueError("repetition_penalty must be > 0 and no_repeat_ngram_size >= 0")
        if self.task not in ("transcribe", "translate"):
            raise ValueError(f"task must be 'transcribe' or 'translate', got {self.task!r}")
        self._check_hallucination_threshold()

    def _check_hallucination_threshold(self) -> None:
        threshold = self.hallucination_silence_threshold
        if threshold is None:
            return
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold >= 0:
            raise ValueError(
                f"hallucination_silence_threshold must be seconds >= 0 or None, got {threshold!r}"
            )
        if not self.word_timestamps:
            # faster-whisper ignores it silently; saying so spares a user wondering why nothing changed.
            warnings.warn(
                "hallucination_silence_threshold works on word timestamps: it is ignored without "
                "word_timestamps=True",
                stacklevel=5,
            )


def compression_ratio(text: str) -> float:
    """zlib's compression ratio of ``text``: repetitive output compresses well (> 2.4)."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0
