"""``model.transcribe(audio)``: speech to text with a Whisper artifact, OpenVINO only.

The artifact holds the encoder with the log-mel front-end compiled in (``model.xml``: a 30 s
waveform and its count of real frames in), the stateful decoder (``decoder_model.xml``: the KV
cache is OpenVINO state) and the detokenizer IR; ``assets/generation_config.json`` names the
special tokens and suppression lists. Long audio is cut into 30 s windows, decoded one after
another. Every call takes its own infer requests from a pool, so one ``Transcriber`` serves any
number of threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .audio import audio_decode, audio_to_mono
from .manifest import Manifest
from .requests import RequestPool
from .whisper_search import WhisperTokens, beam_search, greedy, split_segments

SAMPLE_RATE = 16000
HOP = 160
WINDOW = 30 * SAMPLE_RATE
FRAMES = WINDOW // HOP
SECONDS_PER_TIMESTAMP = 0.02
GENERATION_CONFIG = "assets/hf/generation_config.json"
MIN_FRAMES = 10  # a tail shorter than 0.1 s holds no word
CONCURRENT_CALLS = 8  # more concurrent transcriptions wait for a free request
#: Audio this much quieter than full scale (peak) is taken for silence.
SILENCE_PEAK = 1e-4


class TranscribeError(ValueError):
    """The audio cannot be transcribed (silent, longer than the cap, or undecodable)."""


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass
class Transcript:
    text: str
    segments: list[Segment] = field(default_factory=list)
    duration: float = 0.0


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
        decoder = core.compile_model(str(folder / models["decoder"]), device, properties)
        detokenizer = core.compile_model(str(folder / models["detokenizer"]), "CPU")
        return cls(encoder, decoder, detokenizer, json.loads((folder / GENERATION_CONFIG).read_text()))

    def transcribe(
        self,
        audio: Any,
        *,
        timestamps: bool = False,
        beam_size: int = 1,
        max_seconds: float = 1800.0,
        sample_rate: int | None = None,
    ) -> str | Transcript:
        """Text of ``audio`` (a file path, encoded bytes, ``(array, rate)``); with
        ``timestamps=True`` a :class:`Transcript` whose segments carry start/end seconds.

        Raises:
            TranscribeError: silent audio, or longer than ``max_seconds``.
            AudioError / FileNotFoundError: the audio cannot be decoded.
        """
        if beam_size < 1:
            raise ValueError(f"beam_size must be at least 1, got {beam_size}")
        samples = self._samples(audio, sample_rate, max_seconds)
        # Long audio is always decoded with timestamps: each window resumes where the last
        # complete segment ended instead of cutting words at fixed 30 s marks.
        with_timestamps = timestamps or len(samples) > WINDOW
        segments: list[Segment] = []
        seek = 0
        while seek < len(samples):
            frames = min(FRAMES, (len(samples) - seek) // HOP)
            if frames < MIN_FRAMES:
                break
            window = np.zeros((1, WINDOW), np.float32)
            chunk = samples[seek : seek + frames * HOP]
            window[0, : len(chunk)] = chunk
            ids = self._decode(self._encode(window, frames), with_timestamps, beam_size)
            found, resume = self._segments(
                ids, seek / SAMPLE_RATE, frames * HOP / SAMPLE_RATE, with_timestamps
            )
            segments += found
            advance = frames * HOP if resume is None else int(resume * SECONDS_PER_TIMESTAMP * SAMPLE_RATE)
            seek += advance if advance > 0 else frames * HOP
        text = "".join(s.text for s in segments).strip()
        if not timestamps:
            return text
        return Transcript(
            text, [Segment(s.start, s.end, s.text.strip()) for s in segments], len(samples) / SAMPLE_RATE
        )

    def _samples(self, audio: Any, sample_rate: int | None, max_seconds: float) -> np.ndarray:
        name = repr(str(audio)) if isinstance(audio, (str, Path)) else None
        x, _ = (
            audio_decode(audio, sample_rate=SAMPLE_RATE, name=name)
            if sample_rate is None
            else audio_decode((np.asarray(audio), sample_rate), SAMPLE_RATE, name=name)
        )
        x = audio_to_mono(x, name=name)
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

    def _decode(self, encoded: np.ndarray, timestamps: bool, beam_size: int) -> list[int]:
        request = self._decoder.take()
        hidden = [np.ascontiguousarray(np.repeat(encoded, beam_size, axis=0))]

        def step(ids: np.ndarray, beam_idx: np.ndarray) -> np.ndarray:
            out = request.infer({"input_ids": ids, "encoder_hidden_states": hidden[0], "beam_idx": beam_idx})
            # The first step stored the cross-attention keys/values in the decoder's state; later
            # steps read them from there, so one frame stands in for the 1500 (no 2 MB copy a token).
            hidden[0] = hidden[0][:, :1]
            return np.array(out["logits"][:, -1, :])

        try:
            if beam_size == 1:
                return greedy(step, self.tokens, timestamps, self.max_length)
            return beam_search(step, self.tokens, timestamps, self.max_length, beam_size)
        finally:
            self._decoder.give(request)

    def _text(self, ids: list[int]) -> str:
        if not ids:
            return ""
        request = self._detokenizer.take()
        try:
            return str(request.infer([np.array([ids], np.int64)])[0][0])
        finally:
            self._detokenizer.give(request)

    def _segments(
        self, ids: list[int], offset: float, length: float, timestamps: bool
    ) -> tuple[list[Segment], int | None]:
        tb = self.tokens.timestamp_begin
        if not timestamps:
            return [Segment(offset, offset + length, self._text([t for t in ids if t < tb]))], None
        found, resume = split_segments(ids, tb)
        segments = []
        for start, end, text in found:
            until = offset + length if end < 0 else offset + end * SECONDS_PER_TIMESTAMP
            segments.append(Segment(offset + start * SECONDS_PER_TIMESTAMP, until, self._text(text)))
        return segments, resume


def whisper_models(manifest: Manifest) -> dict[str, str]:
    """``{role: file}`` of a Whisper artifact's manifest: convert's models and tokenizer IRs."""
    return {**(manifest.convert.get("models") or {}), **(manifest.generation or {})}
