"""Speech spans from Silero VAD probabilities, found and padded by faster-whisper's
``get_speech_timestamps`` rules (:class:`VadOptions`), and grouped into pieces of at most 30 s to
decode; :class:`SpeechGroup` maps times inside a piece back to the original audio.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from .vad import SAMPLE_RATE, WINDOW, SileroVad, VadOptions

#: Speech groups decoded one by one are at most this long (Whisper's window).
GROUP_SECONDS = 30.0


def speech_spans(probs: np.ndarray, length: int, options: VadOptions) -> list[tuple[int, int]]:
    """``[(start, end)]`` sample spans of speech in audio of ``length`` samples whose windows scored
    ``probs``, found and padded by faster-whisper's ``get_speech_timestamps`` rules."""
    sr = SAMPLE_RATE
    pad = sr * options.speech_pad_ms / 1000
    min_speech = sr * options.min_speech_duration_ms / 1000
    min_silence = sr * options.min_silence_duration_ms / 1000
    max_speech = sr * options.max_speech_duration_s - WINDOW - 2 * pad
    short_pause = sr * 98 / 1000  # a pause this long is a place to cut an over-long span
    spans: list[list[int]] = []
    start: int | None = None
    silence_from = last_pause_end = resume_at = 0
    for i, p in enumerate(probs):
        at = WINDOW * i
        if p >= options.threshold and silence_from:
            silence_from = 0
            if resume_at < last_pause_end:
                resume_at = at
        if p >= options.threshold and start is None:
            start = at
            continue
        if start is not None and at - start > max_speech:
            if last_pause_end:  # cut at the last pause; speech resumed after it, or not yet
                spans.append([start, last_pause_end])
                start = resume_at if resume_at >= last_pause_end else None
            else:  # no pause at all: cut right here
                spans.append([start, at])
                start = None
                last_pause_end = resume_at = silence_from = 0
                continue
            last_pause_end = resume_at = silence_from = 0
        if p < options.release and start is not None:
            silence_from = silence_from or at
            if at - silence_from > short_pause:
                last_pause_end = silence_from
            if at - silence_from < min_silence:
                continue
            if silence_from - start > min_speech:
                spans.append([start, silence_from])
            start = None
            last_pause_end = resume_at = silence_from = 0
    if start is not None and length - start > min_speech:
        spans.append([start, length])
    return _pad(spans, length, pad)


def _pad(spans: list[list[int]], length: int, pad: float) -> list[tuple[int, int]]:
    """Pad each span by ``pad`` samples; a gap narrower than two pads is split between its neighbours."""
    for i, span in enumerate(spans):
        if i == 0:
            span[0] = int(max(0, span[0] - pad))
        if i + 1 < len(spans):
            gap = spans[i + 1][0] - span[1]
            if gap < 2 * pad:
                span[1] += int(gap // 2)
                spans[i + 1][0] = int(max(0, spans[i + 1][0] - gap // 2))
            else:
                span[1] = int(min(length, span[1] + pad))
                spans[i + 1][0] = int(max(0, spans[i + 1][0] - pad))
        else:
            span[1] = int(min(length, span[1] + pad))
    return [(int(a), int(b)) for a, b in spans]


@dataclass(frozen=True)
class SpeechGroup:
    """Speech spans of the original audio, joined into one piece (``audio``) to decode."""

    audio: np.ndarray
    spans: tuple[tuple[int, int], ...]

    @classmethod
    def whole(cls, samples: np.ndarray) -> SpeechGroup:
        return cls(samples, ((0, len(samples)),))

    def original_time(self, seconds: float, *, is_end: bool = False, span: int | None = None) -> float:
        """Where ``seconds`` into :attr:`audio` lies in the original audio. A time on the seam of
        two spans belongs to the earlier one if it ``is_end``; ``span`` forces the span."""
        if span is None:
            span = self.span_at(seconds, is_end=is_end)
        start = self.spans[span][0]
        before = sum(b - a for a, b in self.spans[:span])
        return round((start + seconds * SAMPLE_RATE - before) / SAMPLE_RATE, 3)

    def span_at(self, seconds: float, *, is_end: bool = False) -> int:
        """Index of the span holding ``seconds`` into :attr:`audio`."""
        ends = np.cumsum([b - a for a, b in self.spans]).tolist()
        sample = int(round(seconds * SAMPLE_RATE))
        index = bisect.bisect_left(ends, sample) if is_end else bisect.bisect_right(ends, sample)
        return min(index, len(self.spans) - 1)


def speech_groups(
    samples: np.ndarray, vad: SileroVad, options: VadOptions, max_seconds: float = GROUP_SECONDS
) -> list[SpeechGroup]:
    """The speech in ``samples`` (16 kHz) as pieces of at most ``max_seconds`` each, silence removed
    (a single span longer than that stays whole); no speech gives ``[]``."""
    spans = speech_spans(vad.probabilities(samples), len(samples), options)
    groups: list[list[tuple[int, int]]] = []
    size = 0
    for a, b in spans:
        if not groups or size + (b - a) > max_seconds * SAMPLE_RATE:
            groups.append([])
            size = 0
        groups[-1].append((a, b))
        size += b - a
    return [SpeechGroup(np.concatenate([samples[a:b] for a, b in g]), tuple(g)) for g in groups]
