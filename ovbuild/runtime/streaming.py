"""Live speech to text: feed audio as it arrives, get text once it is certain.

A :class:`LiveTranscriber` is fed 16 kHz audio in chunks of any size (0.5-1 s is typical). The
Silero VAD gates it: nothing is decoded until speech starts. While an utterance goes on, it is
decoded again each time ``step_seconds`` more audio has come, and a word is confirmed once two
consecutive hypotheses agree on it and on every word before it (whisper_streaming's local
agreement). When the VAD hears ``min_silence_ms`` of silence the utterance is decoded a last time
and the rest of its words are confirmed, so a sentence's text is final a little after it ends. An
utterance running past ``max_utterance_seconds`` is cut at its quietest recent moment.
Confirmed words are never taken back. With ``word_timestamps=True`` the words agreed on are
Whisper's timed words, and each confirmed piece carries them with times on the stream's clock.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from .vad import SAMPLE_RATE, WINDOW, SileroVad, VadOptions
from .word_timing import Word

_WORD = re.compile(r"\S+")
#: Ids of earlier utterances kept as the prompt (Whisper reads at most 223 of them).
PROMPT_TOKENS = 200


@dataclass(frozen=True)
class Confirmed:
    """Words confirmed by one call: ``text`` (with a leading space between pieces), the stream time
    the audio they came from ends at (``audio_end``, seconds), and ``final`` when the utterance is
    over (its last words). With word timestamps, ``words``: the same words (their ``word`` joins
    to ``text``) with start and end seconds on the stream's clock, in order, never before the
    words confirmed earlier."""

    text: str
    audio_end: float
    final: bool
    words: tuple[Word, ...] = ()


class Utterance(NamedTuple):
    """What ``decode`` returns for one utterance: its text, its ids (the prompt of the next one)
    and, with word timestamps, its words (seconds into the utterance's audio)."""

    text: str
    ids: tuple[int, ...]
    words: tuple[Word, ...] = ()


def _key(word: str) -> str:
    """Words agree when they match without case and punctuation ("dog." and "dog," agree)."""
    return re.sub(r"[^\w']", "", word.lower())


def agreed_prefix(a: list[str], b: list[str]) -> int:
    """How many leading words ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if _key(x) != _key(y):
            break
        n += 1
    return n


class LiveTranscriber:
    """Confirmed text of live audio; one per audio stream (not shared between threads).

    >>> live = model.live_transcriber()  # doctest: +SKIP
    >>> for chunk in microphone_chunks():  # 16 kHz float32, any length  # doctest: +SKIP
    ...     for piece in live.feed(chunk):
    ...         print(piece.text, end="", flush=True)
    >>> live.finish()  # doctest: +SKIP
    """

    def __init__(
        self,
        decode: Callable[[np.ndarray, tuple[int, ...]], tuple],
        vad: SileroVad,
        *,
        threshold: float = 0.5,
        min_silence_ms: int = 500,
        speech_pad_ms: int = 200,
        step_seconds: float = 1.0,
        max_utterance_seconds: float = 25.0,
        word_timestamps: bool = False,
    ) -> None:
        """``decode(samples, prompt) -> (text, ids[, words])`` (an :class:`Utterance`) transcribes
        one utterance (at most 30 s of 16 kHz audio) after ``prompt``, the ids of the utterances
        before it (whisper_streaming prompts with the text already confirmed, as faster-whisper
        prompts a window with the one before). ``word_timestamps``: agree on ``decode``'s words
        and hand them on, timed."""
        self._decode = decode
        self._word_timestamps = word_timestamps
        self._spoken_until = 0.0  # where the last confirmed word ends (stream seconds)
        self._vad = vad.stream()
        self._options = VadOptions(threshold=threshold)
        self._min_silence = int(min_silence_ms / 1000 * SAMPLE_RATE / WINDOW)
        self._pad = int(speech_pad_ms / 1000 * SAMPLE_RATE)
        self._step = int(step_seconds * SAMPLE_RATE)
        self._max = int(max_utterance_seconds * SAMPLE_RATE)
        self._audio = np.zeros(0, np.float32)  # the stream since ``_origin`` (kept from speech start - pad)
        self._origin = 0  # stream sample index of ``_audio[0]``
        self._scored = 0  # stream samples the VAD has scored
        self._probs: list[float] = []  # per window of the current utterance
        self._start: int | None = None  # stream sample where the current utterance starts
        self._quiet = 0  # windows of silence in a row within the utterance
        self._decoded_at = 0  # utterance length at the last hypothesis
        self._previous: list[str] = []
        self._confirmed: list[str] = []
        self._prompt: tuple[int, ...] = ()  # ids of the last finished utterances
        self.text = ""  # everything confirmed so far

    def feed(self, samples: np.ndarray) -> list[Confirmed]:
        """Add ``samples`` (16 kHz mono float32); returns what became confirmed."""
        samples = np.asarray(samples, np.float32).ravel()
        self._audio = np.concatenate([self._audio, samples])
        out: list[Confirmed] = []
        for prob in self._vad.feed(samples):
            at = self._scored
            self._scored += WINDOW
            out += self._window(float(prob), at)
        if self._start is not None and self._utterance_length() - self._decoded_at >= self._step:
            out += self._hypothesis()
        if self._start is None:  # keep only what the next utterance's padding can need
            keep = max(0, len(self._audio) - self._pad - WINDOW)
            self._audio, self._origin = self._audio[keep:], self._origin + keep
        return out

    def finish(self) -> list[Confirmed]:
        """The end of the stream: the utterance in progress is decoded and confirmed whole."""
        if self._start is None:
            return []
        return self._final(self._origin + len(self._audio))

    # ---- the VAD gate ---------------------------------------------------------------------------

    def _window(self, prob: float, at: int) -> list[Confirmed]:
        if self._start is None:
            if prob >= self._options.threshold:
                self._start = max(self._origin, at - self._pad)
                self._probs, self._quiet, self._decoded_at = [prob], 0, 0
                self._previous, self._confirmed = [], []
            return []
        self._probs.append(prob)
        self._quiet = self._quiet + 1 if prob < self._options.release else 0
        if self._quiet >= self._min_silence:
            end = at + WINDOW - (self._quiet * WINDOW) + self._pad
            return self._final(end)
        if at + WINDOW - self._start >= self._max:
            return self._cut()
        return []

    def _cut(self) -> list[Confirmed]:
        """An utterance too long for one window: end it at the quietest window of its last 5 s."""
        recent = self._probs[-int(5 * SAMPLE_RATE / WINDOW) :]
        back = len(recent) - int(np.argmin(recent))
        end = self._start + (len(self._probs) - back + 1) * WINDOW
        out = self._final(end)
        self._start = end  # speech goes on
        self._probs, self._quiet, self._decoded_at = [], 0, 0
        return out

    # ---- hypotheses and agreement ---------------------------------------------------------------

    def _utterance_length(self) -> int:
        return self._origin + len(self._audio) - self._start

    def _utterance(self, end: int) -> np.ndarray:
        return self._audio[self._start - self._origin : end - self._origin]

    def _hypothesis(self) -> list[Confirmed]:
        self._decoded_at = self._utterance_length()
        utterance = Utterance(*self._decode(self._utterance(self._origin + len(self._audio)), self._prompt))
        words, timed = self._words(utterance)
        agreed = agreed_prefix(self._previous, words)
        self._previous = words
        done = len(self._confirmed)
        if agreed <= done:
            return []
        return [self._confirm(words[done:agreed], timed[done:agreed], len(self._audio), final=False)]

    def _final(self, end: int) -> list[Confirmed]:
        end = min(end, self._origin + len(self._audio))
        words: list[str] = []
        timed: list[Word] = []
        if end - self._start > WINDOW:
            utterance = Utterance(*self._decode(self._utterance(end), self._prompt))
            words, timed = self._words(utterance)
            self._prompt = (self._prompt + utterance.ids)[-PROMPT_TOKENS:]
        # Confirmed words stand; the final hypothesis adds what comes after as many of its words.
        done = len(self._confirmed)
        piece = self._confirm(words[done:], timed[done:], end - self._origin, final=True)
        self._start = None
        keep = max(0, end - self._origin - self._pad)
        self._audio, self._origin = self._audio[keep:], self._origin + keep
        return [piece]

    def _words(self, utterance: Utterance) -> tuple[list[str], list[Word]]:
        """The hypothesis as the words to agree on: its text split on spaces, or with word
        timestamps Whisper's words, then also returned timed on the stream's clock."""
        if not self._word_timestamps:
            return _WORD.findall(utterance.text), []
        origin = self._start / SAMPLE_RATE
        timed = [
            Word(round(origin + w.start, 3), round(origin + w.end, 3), " " + w.word.strip(), w.probability)
            for w in utterance.words
            if w.word.strip()
        ]
        return [w.word[1:] for w in timed], timed

    def _confirm(self, words: list[str], timed: list[Word], local_end: int, *, final: bool) -> Confirmed:
        self._confirmed += words
        text = "".join(" " + w for w in words)
        self.text = (self.text + text).strip() if text else self.text
        return Confirmed(text, (self._origin + local_end) / SAMPLE_RATE, final, self._in_order(timed))

    def _in_order(self, timed: list[Word]) -> tuple[Word, ...]:
        """``timed`` moved, where a later hypothesis timed them earlier, to start no sooner than
        the words already confirmed end (their times stand, as their text does)."""
        out = []
        for word in timed:
            start = max(word.start, self._spoken_until)
            out.append(replace(word, start=start, end=max(word.end, start)))
            self._spoken_until = out[-1].end
        return tuple(out)


def stream_chunks(live: LiveTranscriber, chunks: Iterable[np.ndarray]) -> Iterator[Confirmed]:
    """Feed ``chunks`` in order, yielding what each confirms, then what :meth:`finish` confirms."""
    for chunk in chunks:
        yield from live.feed(chunk)
    yield from live.finish()


def timed_stream(
    live: LiveTranscriber, samples: np.ndarray, chunk_seconds: float
) -> list[tuple[float, Confirmed]]:
    """Play ``samples`` into ``live`` as if recorded live, in chunks of ``chunk_seconds``.

    Returns ``(clock, piece)``: the stream time each piece was confirmed at. Chunk ``i`` arrives at
    ``(i + 1) * chunk_seconds``; it is handled once it has arrived and the previous one is done, and
    handling takes the time it really takes here, so the clock is what a live listener would see.
    """
    step = int(chunk_seconds * SAMPLE_RATE)
    clock = 0.0
    out = []
    for i, at in enumerate(range(0, len(samples), step)):
        clock = max(clock, (i + 1) * chunk_seconds)
        started = time.perf_counter()
        pieces = live.feed(samples[at : at + step])
        clock += time.perf_counter() - started
        out += [(clock, piece) for piece in pieces]
    started = time.perf_counter()
    pieces = live.finish()
    clock += time.perf_counter() - started
    return out + [(clock, piece) for piece in pieces]
