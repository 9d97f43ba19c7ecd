"""``model.transcribe(audio)``: speech to text with a Whisper artifact, OpenVINO only.

Decoding is faster-whisper's ``transcribe`` with its option names and defaults
(:class:`DecodeOptions`, decode_options.py). :class:`Transcriber` is what a model exposes:
``transcribe``, ``detect_language`` and ``live``; it reads the audio, settles the language, puts
the VAD in front (``vad_filter``) and maps times back. The windows are walked in
whisper_windows.py over the compiled networks of whisper_requests.py; word timestamps are
word_timing.py's. One ``Transcriber`` serves any number of threads.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .audio import audio_decode, audio_to_mono
from .audio.resample import resample_like_faster_whisper
from .decode_options import DecodeOptions, compression_ratio
from .manifest import Manifest
from .speech_spans import SpeechGroup, speech_groups
from .streaming import LiveTranscriber, Utterance
from .transcript import Language, Segment, TranscribeError, Transcript
from .vad import SileroVad, VadError, VadOptions, sibling_vad_artifact
from .whisper_requests import WhisperRequests
from .whisper_windows import FRAMES, HOP, MIN_FRAMES, SAMPLE_RATE, window, window_segments

#: Names other modules import from here (the public speech API predates the split).
__all__ = [
    "DecodeOptions",
    "Language",
    "Segment",
    "TranscribeError",
    "Transcriber",
    "Transcript",
    "compression_ratio",
    "resample_like_faster_whisper",
    "whisper_models",
]

#: Audio this much quieter than full scale (peak) is taken for silence.
SILENCE_PEAK = 1e-4


class Transcriber:
    """Whisper decoding over an artifact's compiled encoder, decoder and detokenizer."""

    def __init__(self, requests: WhisperRequests, folder: Path | None = None) -> None:
        """Over ``requests`` (the compiled networks); ``folder`` is the artifact directory, where
        ``vad_filter`` looks for a Silero VAD artifact beside it."""
        self.requests = requests
        self.tokens = requests.tokens
        self.folder = folder
        self._vads: dict[str, SileroVad] = {}
        self._vad_lock = threading.Lock()

    @classmethod
    def from_files(
        cls, folder: Path, models: dict[str, str], encoder: Any, device: str, properties: dict[str, Any]
    ) -> Transcriber:
        """A transcriber over the networks of ``folder`` (see :meth:`WhisperRequests.from_files`)."""
        return cls(WhisperRequests.from_files(folder, models, encoder, device, properties), folder)

    # ---- public calls ----------------------------------------------------------------------------

    def transcribe(
        self,
        audio: Any,
        *,
        timestamps: bool = False,
        max_seconds: float = 1800.0,
        sample_rate: int | None = None,
        vad_filter: bool = False,
        vad_parameters: VadOptions | dict[str, Any] | None = None,
        vad_model: Any = None,
        **options: Any,
    ) -> str | Transcript:
        """Text of ``audio`` (a file path, encoded bytes, ``(array, rate)``); with
        ``timestamps=True`` a :class:`Transcript` whose segments carry start/end seconds.
        ``options`` are :class:`DecodeOptions` (faster-whisper's names and defaults).
        ``word_timestamps=True`` (a :class:`Transcript` too) gives every segment its
        :class:`Word` s, timed from cross-attention as faster-whisper times them (word_timing.py);
        with them, ``hallucination_silence_threshold`` skips silence before a likely hallucination
        (hallucination.py).

        With ``vad_filter=True`` a Silero VAD artifact removes the silence first (faster-whisper's
        ``vad_filter``; ``vad_parameters`` are its ``VadOptions``) and the speech is decoded in
        groups of at most 30 s; times stay those of the original audio. The VAD is ``vad_model``
        (a loaded Silero VAD artifact or its directory), else ``silero_vad_sequence/latest`` or
        ``silero_vad/latest`` in the store this artifact is in.

        Raises:
            TranscribeError: silent audio, or longer than ``max_seconds``.
            VadError: ``vad_filter=True`` and no Silero VAD artifact is found, or bad ``vad_parameters``.
            AudioError / FileNotFoundError: the audio cannot be decoded.
            ValueError / TypeError: an unknown language, task or option; ``word_timestamps=True``
                with a decoder IR whose cross-attention is not recognizable.
        """
        opts = DecodeOptions(**options)
        samples = self._samples(audio, sample_rate, max_seconds)
        language, probability = self._language(samples, opts.language)
        opts = replace(opts, language=language)
        groups = [SpeechGroup.whole(samples)]
        if vad_filter:  # silence removed first (speech_spans.py); segment times are mapped back
            groups = speech_groups(samples, self._vad(vad_model), VadOptions.of(vad_parameters))
        segments = [s for group in groups for s in _restore(group, list(self.segments(group.audio, opts)))]
        text = "".join(s.text for s in segments).strip()
        if not timestamps and not opts.word_timestamps:
            return text
        stripped = [replace(s, text=s.text.strip()) for s in segments]
        return Transcript(text, stripped, len(samples) / SAMPLE_RATE, language, probability)

    def detect_language(
        self, audio: Any, *, sample_rate: int | None = None, max_seconds: float = 1800.0
    ) -> Language:
        """The spoken language of ``audio``'s first 30 s, as faster-whisper detects it: the
        decoder's distribution over the language tokens after ``<|startoftranscript|>``."""
        if not self.tokens.multilingual:
            return Language("en", 1.0, [("en", 1.0)])
        samples = self._samples(audio, sample_rate, max_seconds)
        return self._detect(samples)

    def segments(
        self, samples: np.ndarray, opts: DecodeOptions, prompt: tuple[int, ...] = ()
    ) -> Iterator[Segment]:
        """Segments of 16 kHz mono ``samples``, window after window, as faster-whisper's
        ``generate_segments`` walks them (whisper_windows.py). ``opts.language`` None: detected
        first (multilingual). ``prompt``: text ids before the audio (the live transcriber's
        earlier utterances)."""
        if opts.language is None:
            opts = replace(opts, language=self._language(samples, None)[0])
        return window_segments(self.requests, samples, opts, prompt)

    def live(self, vad_model: Any = None, **options: Any) -> LiveTranscriber:
        """A :class:`LiveTranscriber` (streaming.py) that decodes each utterance with this model:
        ``vad_model`` as for ``vad_filter``; ``options`` are the live transcriber's, and any
        :class:`DecodeOptions` for the utterances (``word_timestamps=True``: confirmed pieces
        carry their words, timed on the stream's clock)."""
        names = set(DecodeOptions.__dataclass_fields__)
        opts = DecodeOptions(**{k: v for k, v in options.items() if k in names})

        def decode(samples: np.ndarray, prompt: tuple[int, ...]) -> Utterance:
            found = list(self.segments(samples, opts, prompt))
            text = "".join(s.text for s in found).strip()
            return Utterance(
                text, tuple(t for s in found for t in s.tokens), tuple(w for s in found for w in s.words)
            )

        live = {k: v for k, v in options.items() if k not in names}
        return LiveTranscriber(decode, self._vad(vad_model), word_timestamps=opts.word_timestamps, **live)

    def _vad(self, vad_model: Any) -> SileroVad:
        if isinstance(vad_model, SileroVad):
            return vad_model
        where = vad_model if vad_model is not None else (self.folder and sibling_vad_artifact(self.folder))
        if where is None:
            raise VadError(
                "vad_filter=True needs a Silero VAD artifact: build one into this artifact's store "
                "(ovbuild build recipe=silero_vad_sequence) or pass vad_model= (a loaded artifact "
                "or its directory)"
            )
        key = str(getattr(where, "artifact_dir", where))
        with self._vad_lock:
            if key not in self._vads:
                self._vads[key] = SileroVad.from_artifact(where)
            return self._vads[key]

    def _language(self, samples: np.ndarray, language: str | None) -> tuple[str, float]:
        if not self.tokens.multilingual:
            if language not in (None, "en"):
                warnings.warn(
                    f"this Whisper model is English-only; language={language!r} is ignored", stacklevel=3
                )
            return "en", 1.0
        if language is None:
            found = self._detect(samples)
            return found.language, found.probability
        if language not in self.tokens.languages:
            known = ", ".join(sorted(self.tokens.languages))
            raise ValueError(f"language {language!r} is not one of this model's: {known}")
        return language, 1.0

    def _detect(self, samples: np.ndarray) -> Language:
        size = max(MIN_FRAMES, min(FRAMES, len(samples) // HOP))
        logits = self.requests.language_logits(self.requests.encode(window(samples, 0, size), size))
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        ranked = sorted(zip(self.tokens.languages, probs.tolist(), strict=True), key=lambda p: -p[1])
        return Language(ranked[0][0], ranked[0][1], ranked)

    # ---- audio ------------------------------------------------------------------------------------

    def _samples(self, audio: Any, sample_rate: int | None, max_seconds: float) -> np.ndarray:
        name = repr(str(audio)) if isinstance(audio, (str, Path)) else None
        x, rate = (
            audio_decode(audio, name=name)
            if sample_rate is None
            else audio_decode((np.asarray(audio), sample_rate), name=name)
        )
        x = resample_like_faster_whisper(audio_to_mono(x, name=name), rate)
        what = name or "audio"
        seconds = len(x) / SAMPLE_RATE
        if seconds > max_seconds:
            raise TranscribeError(
                f"{what}: {seconds:.1f} s is longer than the cap of {max_seconds:g} s "
                "(pass max_seconds= to transcribe longer audio)"
            )
        if float(np.abs(x).max()) < SILENCE_PEAK:
            raise TranscribeError(
                f"{what}: the audio is silent (peak {float(np.abs(x).max()):.1e}); nothing to transcribe"
            )
        return x


def _restore(group: SpeechGroup, segments: list[Segment]) -> list[Segment]:
    """``segments`` of a VAD speech group with times of the original audio."""
    if len(group.spans) == 1 and group.spans[0][0] == 0:
        return segments
    restored = []
    for s in segments:
        if not s.words:
            restored.append(
                replace(s, start=group.original_time(s.start), end=group.original_time(s.end, is_end=True))
            )
            continue
        # As faster-whisper: a word lies in the speech span holding its middle (never stretched
        # across removed silence), and the segment runs from its first word to its last.
        words = []
        for w in s.words:
            span = group.span_at((w.start + w.end) / 2)
            words.append(
                replace(
                    w,
                    start=group.original_time(w.start, span=span),
                    end=group.original_time(w.end, span=span),
                )
            )
        restored.append(replace(s, start=words[0].start, end=words[-1].end, words=tuple(words)))
    return restored


def whisper_models(manifest: Manifest) -> dict[str, str]:
    """``{role: file}`` of a Whisper artifact's manifest: convert's models and tokenizer IRs."""
    return {**(manifest.convert.get("models") or {}), **(manifest.generation or {})}
