"""``model.transcribe(audio)``: speech to text with a Whisper artifact, OpenVINO only.

The artifact holds the encoder with the log-mel front-end compiled in (``model.xml``: a 30 s
waveform and its count of real frames in), the stateful decoder (``decoder_model.xml``: the KV
cache is OpenVINO state) and the detokenizer IR; ``assets/generation_config.json`` names the
special tokens and suppression lists.

Decoding is faster-whisper's ``transcribe`` with its option names and defaults
(:class:`DecodeOptions`): :meth:`Transcriber.segments` walks the audio in 30 s windows, each
starting where the last complete segment of the one before ended, and decodes every window
with the temperature fallback, the no-speech check and the previous text as prompt
(``_decode_with_fallback``, ``_no_speech``, ``_read_window``). ``transcribe`` and
``detect_language`` are the calls a model exposes; other features (a VAD in front, word
timestamps, streaming) build on ``segments``. Every call takes its own infer requests from a
pool, so one ``Transcriber`` serves any number of threads.
"""

from __future__ import annotations

import json
import threading
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .audio import audio_decode, audio_resample, audio_to_mono
from .manifest import Manifest
from .requests import RequestPool
from .streaming import LiveTranscriber
from .vad import SileroVad, SpeechGroup, VadError, VadOptions, sibling_vad_artifact, speech_groups
from .whisper_search import Hypothesis, Repetition, WhisperTokens, beam_search, sample, split_segments
from .word_timing import (
    ALIGNMENT_OUTPUT,
    APPEND_PUNCTUATIONS,
    PREPEND_PUNCTUATIONS,
    WindowSegment,
    Word,
    alignment_decoder,
    alignment_heads,
    decoder_shape,
    time_window_words,
    token_frame_weights,
    token_start_times,
    word_timings,
)

SAMPLE_RATE = 16000
HOP = 160
WINDOW = 30 * SAMPLE_RATE
FRAMES = WINDOW // HOP
SECONDS_PER_TIMESTAMP = 0.02
STRIDE = 2  # mel frames per timestamp step
GENERATION_CONFIG = "assets/hf/generation_config.json"
MIN_FRAMES = 10  # a tail shorter than 0.1 s holds no word
CONCURRENT_CALLS = 8  # more concurrent transcriptions wait for a free request
#: Audio this much quieter than full scale (peak) is taken for silence.
SILENCE_PEAK = 1e-4


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


def compression_ratio(text: str) -> float:
    """zlib's compression ratio of ``text``: repetitive output compresses well (> 2.4)."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


class Transcriber:
    """Whisper decoding over an artifact's compiled encoder, decoder and detokenizer."""

    def __init__(self, encoder: Any, decoder: Any, detokenizer: Any, generation: dict[str, Any]) -> None:
        """Over compiled models: ``encoder`` (waveform [+ num_frames] in), the stateful ``decoder``,
        the ``detokenizer``; ``generation`` is the HF ``generation_config.json``."""
        vocab = int(decoder.output("logits").get_partial_shape()[-1].get_length())
        self.tokens = WhisperTokens.from_generation_config(generation, vocab)
        self.max_length = int(generation.get("max_length", 448))
        # Each call borrows its own requests; the decoder's start from the initial (empty) KV cache.
        self._encoder = RequestPool(encoder, CONCURRENT_CALLS)
        self._decoder = RequestPool(decoder, CONCURRENT_CALLS, reset_state=True)
        self._detokenizer = RequestPool(detokenizer, CONCURRENT_CALLS)
        self._encoder_inputs = {p.get_any_name() for p in encoder.inputs}
        #: The artifact directory, where ``vad_filter`` looks for a Silero VAD artifact beside it.
        self.folder: Path | None = None
        self._vads: dict[str, SileroVad] = {}
        self._vad_lock = threading.Lock()
        self._generation = generation
        #: ``() -> compiled alignment decoder``, set by :meth:`from_files`; compiled on first use.
        self._alignment_compiler: Any = None
        self._aligner: RequestPool | None = None
        self._aligner_lock = threading.Lock()

    @classmethod
    def from_files(
        cls, folder: Path, models: dict[str, str], encoder: Any, device: str, properties: dict[str, Any]
    ) -> Transcriber:
        """Compile ``models['decoder']`` and ``models['detokenizer']`` from ``folder`` (an artifact or
        a build stage's entry) beside the already compiled ``encoder``."""
        import openvino as ov

        try:
            import openvino_tokenizers  # noqa: F401  (registers the detokenizer's ops)
        except ImportError as exc:
            raise ImportError("transcribe needs openvino-tokenizers for the detokenizer IR") from exc
        missing = [role for role in ("decoder", "detokenizer") if role not in models]
        if not (folder / GENERATION_CONFIG).is_file():
            missing.append(GENERATION_CONFIG)
        if missing:
            raise TranscribeError(f"{folder}: not a Whisper artifact (it has no {', '.join(missing)})")
        core = ov.Core()
        decoder = core.compile_model(
            _logits_of_last(core.read_model(folder / models["decoder"])), device, properties
        )
        detokenizer = core.compile_model(str(folder / models["detokenizer"]), "CPU")
        transcriber = cls(encoder, decoder, detokenizer, json.loads((folder / GENERATION_CONFIG).read_text()))
        transcriber.folder = folder

        def compile_aligner() -> Any:
            model = core.read_model(folder / models["decoder"])
            layers, heads = decoder_shape(model)
            table = alignment_heads(transcriber._generation, layers, heads)
            return core.compile_model(alignment_decoder(model, table), device, properties)

        transcriber._alignment_compiler = compile_aligner
        return transcriber

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
        :class:`Word` s, timed from cross-attention as faster-whisper times them (word_timing.py).

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
        if vad_filter:  # silence removed first (vad.py); segment times are mapped back
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
        ``generate_segments`` walks them: each 30 s window starts where the last complete segment
        of the one before ended (read off its timestamp tokens), is decoded with the temperature
        fallback, skipped when it holds no speech, and prompted with the text before it while
        ``condition_on_previous_text`` holds and decoding stayed below
        ``prompt_reset_on_temperature``. ``opts.language`` None: detected first (multilingual).
        ``prompt``: text ids before the audio (the live transcriber's earlier utterances)."""
        if opts.language is None:
            opts = replace(opts, language=self._language(samples, None)[0])
        duration = len(samples) / SAMPLE_RATE
        content_frames = len(samples) // HOP
        timestamps = not opts.without_timestamps
        rng = np.random.default_rng(opts.seed)
        previous: list[int] = list(prompt)  # the ids that prompt the next window
        seek = 0  # in mel frames (10 ms)
        last_speech = 0.0  # where the last word ended (word timestamps' pause rule)
        while seek < content_frames:
            size = min(FRAMES, content_frames - seek)
            if size < MIN_FRAMES:
                break
            offset = seek * HOP / SAMPLE_RATE
            encoded = self._encode(_window(samples, seek, size), size)
            prompt = self.tokens.prompt(timestamps, opts.language, opts.task, previous, self.max_length)
            hyp, temperature, ratio = self._decode_with_fallback(encoded, prompt, timestamps, opts, rng)
            if self._no_speech(hyp, opts):
                seek += size
                continue
            pieces, resume = self._read_window(hyp, offset, size * HOP / SAMPLE_RATE, duration, timestamps)
            # A timestamp step is two mel frames; a window that closed nothing moves on whole.
            advance = size if resume is None else resume * STRIDE
            next_seek = seek + (advance if advance > 0 else size)
            if opts.word_timestamps and pieces:
                self._time_words(pieces, encoded, size, offset, opts, last_speech)
                last_end = next((w.end for p in reversed(pieces) for w in reversed(p.words)), pieces[-1].end)
                # As faster-whisper: unless the window ended on a single timestamp, the next one
                # starts where the last word ended.
                tb = self.tokens.timestamp_begin
                single_ending = timestamps and len(hyp.ids) >= 2 and hyp.ids[-2] < tb <= hyp.ids[-1]
                if not single_ending and last_end > offset:
                    next_seek = round(last_end * SAMPLE_RATE / HOP)
                last_speech = last_end
            for segment in self._segments_of(pieces, hyp):
                previous += segment.tokens
                yield replace(segment, temperature=temperature, compression_ratio=ratio)
            seek = next_seek
            if not opts.condition_on_previous_text or temperature > opts.prompt_reset_on_temperature:
                previous = []

    def live(self, vad_model: Any = None, **options: Any) -> LiveTranscriber:
        """A :class:`LiveTranscriber` (streaming.py) that decodes each utterance with this model:
        ``vad_model`` as for ``vad_filter``; ``options`` are the live transcriber's, and any
        :class:`DecodeOptions` for the utterances."""
        names = set(DecodeOptions.__dataclass_fields__)
        opts = DecodeOptions(**{k: v for k, v in options.items() if k in names})

        def decode(samples: np.ndarray, prompt: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
            found = list(self.segments(samples, opts, prompt))
            return "".join(s.text for s in found).strip(), tuple(t for s in found for t in s.tokens)

        live = {k: v for k, v in options.items() if k not in names}
        return LiveTranscriber(decode, self._vad(vad_model), **live)

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

    # ---- one window -------------------------------------------------------------------------------

    def _decode_with_fallback(
        self, encoded: np.ndarray, prompt: list[int], timestamps: bool, opts: DecodeOptions, rng: Any
    ) -> tuple[Hypothesis, float, float]:
        """faster-whisper's ``generate_with_fallback``: decode at each temperature in turn until
        the text is neither too repetitive (compression ratio) nor too improbable (average
        log-probability); a window judged silent needs no retry. When every temperature fails,
        the most probable result under the ratio threshold (or of all) is kept."""
        tried: list[tuple[Hypothesis, float, float]] = []
        below_ratio: list[tuple[Hypothesis, float, float]] = []
        for temperature in opts.temperature:
            hyp = self._decode(encoded, prompt, timestamps, opts, temperature, rng)
            ratio = compression_ratio(self._text(hyp.ids).strip())
            result = (hyp, temperature, ratio)
            tried.append(result)
            retry = False
            if opts.compression_ratio_threshold is not None:
                if ratio > opts.compression_ratio_threshold:
                    retry = True  # too repetitive
                else:
                    below_ratio.append(result)
            low = opts.log_prob_threshold is not None and hyp.avg_logprob < opts.log_prob_threshold
            if low:
                retry = True
            if low and opts.no_speech_threshold is not None and hyp.no_speech_prob > opts.no_speech_threshold:
                retry = False  # silence: the no-speech check drops it
            if not retry:
                return result
        hyp, _, ratio = max(below_ratio or tried, key=lambda r: r[0].avg_logprob)
        return hyp, opts.temperature[-1], ratio  # the last temperature decides the prompt reset

    def _read_window(
        self, hyp: Hypothesis, offset: float, length: float, duration: float, timestamps: bool
    ) -> tuple[list[WindowSegment], int | None]:
        """The window's pieces on the file's timeline (clamped to the audio's end) and the
        timestamp step to resume from."""
        tb = self.tokens.timestamp_begin
        found, resume = split_segments(hyp.ids, tb) if timestamps else ([(0, -1, hyp.ids)], None)
        pieces = []
        for start, end, ids in found:
            first = min(offset + start * SECONDS_PER_TIMESTAMP, duration)
            last = min(offset + (length if end < 0 else end * SECONDS_PER_TIMESTAMP), duration)
            pieces.append(WindowSegment(first, last, list(ids)))
        return pieces, resume

    def _segments_of(self, pieces: list[WindowSegment], hyp: Hypothesis) -> list[Segment]:
        """The window's segments; empty ones dropped, as faster-whisper does."""
        segments = []
        for piece in pieces:
            text = self._text(piece.ids)
            if piece.start < piece.end and text.strip():
                segments.append(
                    Segment(
                        piece.start,
                        piece.end,
                        text,
                        tuple(piece.ids),
                        avg_logprob=hyp.avg_logprob,
                        no_speech_prob=hyp.no_speech_prob,
                        words=tuple(piece.words),
                    )
                )
        return segments

    def _time_words(
        self,
        pieces: list[WindowSegment],
        encoded: np.ndarray,
        frames: int,
        offset: float,
        opts: DecodeOptions,
        last_speech: float,
    ) -> float:
        """Give the window's ``pieces`` their words (word_timing.py); returns where speech last
        ended."""
        eot = self.tokens.eot
        text = [t for piece in pieces for t in piece.ids if t < eot]
        if not text:
            return last_speech
        start = self.tokens.sot_sequence(opts.language, opts.task)
        scores, probs = self._align(encoded, start, text)
        matrix = token_frame_weights(scores, frames)[len(start) : -1]
        timings = word_timings(text, token_start_times(matrix), probs, self._text, opts.language or "en")
        return time_window_words(
            pieces, timings, eot, offset, last_speech, opts.prepend_punctuations, opts.append_punctuations
        )

    def _align(self, encoded: np.ndarray, start: list[int], text: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """One pass of the alignment decoder over ``start, <|notimestamps|>, text, <|endoftext|>``:
        the alignment heads' raw scores ``[heads, tokens, frames]`` and each text token's
        probability (softmax over the text vocabulary, as CTranslate2's ``align``)."""
        with self._aligner_lock:
            if self._aligner is None:
                if self._alignment_compiler is None:
                    raise TranscribeError("word timestamps need a Transcriber made by from_files")
                self._aligner = RequestPool(self._alignment_compiler(), CONCURRENT_CALLS, reset_state=True)
        ids = [*start, self.tokens.no_timestamps, *text, self.tokens.eot]
        request = self._aligner.take()
        try:
            out = request.infer(
                {
                    "input_ids": np.array([ids], np.int64),
                    "encoder_hidden_states": encoded,
                    "beam_idx": np.zeros(1, np.int32),
                }
            )
            logits = np.array(out["logits"][0], np.float64)
            scores = np.array(out[ALIGNMENT_OUTPUT][0])
        finally:
            self._aligner.give(request)
        rows = logits[len(start) : len(start) + len(text), : self.tokens.eot]
        rows = np.exp(rows - rows.max(axis=-1, keepdims=True))
        probs = rows[np.arange(len(text)), text] / rows.sum(axis=-1)
        return scores, probs

    def _no_speech(self, hyp: Hypothesis, opts: DecodeOptions) -> bool:
        """faster-whisper's no-voice check: ``<|nospeech|>`` likely, and the text not confident."""
        if opts.no_speech_threshold is None or hyp.no_speech_prob <= opts.no_speech_threshold:
            return False
        return opts.log_prob_threshold is None or hyp.avg_logprob <= opts.log_prob_threshold

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
        encoded = self._encode(_window(samples, 0, size), size)
        ids = np.array(list(self.tokens.languages.values()), np.int64)
        request = self._decoder.take()
        try:
            out = request.infer(
                {
                    "input_ids": np.array([[self.tokens.sot]], np.int64),
                    "encoder_hidden_states": encoded,
                    "beam_idx": np.zeros(1, np.int32),
                }
            )
            logits = np.array(out["logits"][0, -1, ids], np.float64)
        finally:
            self._decoder.give(request)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        ranked = sorted(zip(self.tokens.languages, probs.tolist(), strict=True), key=lambda p: -p[1])
        return Language(ranked[0][0], ranked[0][1], ranked)

    # ---- models -----------------------------------------------------------------------------------

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

    def _encode(self, window: np.ndarray, frames: int) -> np.ndarray:
        request = self._encoder.take()
        try:
            inputs = {next(iter(self._encoder_inputs - {"num_frames"})): window}
            if "num_frames" in self._encoder_inputs:
                inputs["num_frames"] = np.array([frames], np.int32)
            return np.array(request.infer(inputs)[0])
        finally:
            self._encoder.give(request)

    def _decode(
        self,
        encoded: np.ndarray,
        prompt: list[int],
        timestamps: bool,
        opts: DecodeOptions,
        temperature: float,
        rng: Any,
    ) -> Hypothesis:
        rows = opts.beam_size if temperature <= 0 else opts.best_of
        request = self._decoder.take()
        hidden = [np.ascontiguousarray(np.repeat(encoded, rows, axis=0))]

        def step(ids: np.ndarray, beam_idx: np.ndarray) -> np.ndarray:
            out = request.infer({"input_ids": ids, "encoder_hidden_states": hidden[0], "beam_idx": beam_idx})
            # The first step stored the cross-attention keys/values in the decoder's state; later
            # steps read them from there, so one frame stands in for the 1500 (no 2 MB copy a token).
            hidden[0] = hidden[0][:, :1]
            return np.array(out["logits"])

        bound = Repetition(opts.repetition_penalty, opts.no_repeat_ngram_size)
        try:
            if temperature <= 0 and opts.beam_size > 1:
                return beam_search(
                    step,
                    self.tokens,
                    prompt,
                    timestamps,
                    self.max_length,
                    opts.beam_size,
                    opts.length_penalty,
                    bound,
                )
            return sample(
                step, self.tokens, prompt, timestamps, self.max_length, temperature, rows, rng, bound
            )
        finally:
            self._decoder.give(request)

    def _text(self, ids: list[int] | tuple[int, ...]) -> str:
        ids = [t for t in ids if t < self.tokens.eot]  # no timestamps or special tokens
        if not ids:
            return ""
        request = self._detokenizer.take()
        try:
            return str(request.infer([np.array([ids], np.int64)])[0][0])
        finally:
            self._detokenizer.give(request)


def resample_like_faster_whisper(x: np.ndarray, rate: int) -> np.ndarray:
    """Mono ``x`` at ``rate`` as 16 kHz samples the way faster-whisper's ``decode_audio`` makes
    them: FFmpeg's swresample (through PyAV) from and to 16-bit PCM, so 8 kHz telephone audio
    reaches the encoder as it does in faster-whisper. Without PyAV: the runtime's resampler."""
    if rate == SAMPLE_RATE:
        return x
    try:
        import av
    except ImportError:
        return audio_resample(x, rate, SAMPLE_RATE)
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    out = [f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]]
    return np.concatenate(out).astype(np.float32) / 32768.0


#: Prompt positions whose logits the decoder computes: the start-of-transcript sequence and any
#: <|notimestamps|> are always the last four or fewer (the no-speech probability is read at
#: <|startoftranscript|>, the next token at the last position).
LOGIT_POSITIONS = 4


def _logits_of_last(model: Any) -> Any:
    """``model`` (the stateful decoder) computing logits for its last :data:`LOGIT_POSITIONS`
    positions only: the vocabulary projection of a 200-token previous-text prompt would
    otherwise cost more than decoding the whole window."""
    import openvino.opset15 as ops

    result = next(r for r in model.get_results() if "logits" in r.output(0).get_names())
    projection = result.input_value(0).get_node()
    if projection.get_type_name() != "MatMul":
        return model  # an unknown graph: keep every position
    hidden = projection.input_value(0)
    last = ops.slice(
        hidden,
        np.array([-LOGIT_POSITIONS], np.int64),
        np.array([np.iinfo(np.int64).max], np.int64),
        np.array([1], np.int64),
        np.array([1], np.int64),
    )
    projection.input(0).replace_source_output(last.output(0))
    model.validate_nodes_and_infer_types()
    return model


def _window(samples: np.ndarray, seek: int, frames: int) -> np.ndarray:
    """The 30 s encoder input at mel frame ``seek``: ``frames`` frames of audio, zeros after."""
    window = np.zeros((1, WINDOW), np.float32)
    chunk = samples[seek * HOP : (seek + frames) * HOP]
    window[0, : len(chunk)] = chunk
    return window


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
