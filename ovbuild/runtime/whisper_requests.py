"""The compiled Whisper networks and what a transcription asks of them: encode a 30 s window,
decode it with a search (whisper_search.py), detokenize ids, score the language tokens, and run
the alignment decoder that word timestamps read (alignment_model.py).

The artifact holds the encoder with the log-mel front-end compiled in (``model.xml``: a 30 s
waveform and its count of real frames in), the stateful decoder (``decoder_model.xml``: the KV
cache is OpenVINO state) and the detokenizer IR; ``assets/hf/generation_config.json`` names the
special tokens and suppression lists. Every call takes its own infer requests from a pool, so one
:class:`WhisperRequests` serves any number of threads.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .alignment_model import ALIGNMENT_OUTPUT, alignment_decoder, alignment_heads, decoder_shape
from .decode_options import DecodeOptions
from .requests import RequestPool
from .transcript import TranscribeError
from .whisper_search import Hypothesis, Repetition, beam_search, sample
from .whisper_tokens import WhisperTokens

GENERATION_CONFIG = "assets/hf/generation_config.json"
CONCURRENT_CALLS = 8  # more concurrent transcriptions wait for a free request
#: Prompt positions whose logits the decoder computes: the start-of-transcript sequence and any
#: <|notimestamps|> are always the last four or fewer (the no-speech probability is read at
#: <|startoftranscript|>, the next token at the last position).
LOGIT_POSITIONS = 4


class WhisperRequests:
    """Infer requests over an artifact's compiled encoder, decoder and detokenizer."""

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
        self._generation = generation
        #: ``() -> compiled alignment decoder``, set by :meth:`from_files`; compiled on first use.
        self._alignment_compiler: Any = None
        self._aligner: RequestPool | None = None
        self._aligner_lock = threading.Lock()

    @classmethod
    def from_files(
        cls, folder: Path, models: dict[str, str], encoder: Any, device: str, properties: dict[str, Any]
    ) -> WhisperRequests:
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
        requests = cls(encoder, decoder, detokenizer, json.loads((folder / GENERATION_CONFIG).read_text()))

        def compile_aligner() -> Any:
            model = core.read_model(folder / models["decoder"])
            layers, heads = decoder_shape(model)
            table = alignment_heads(requests._generation, layers, heads)
            return core.compile_model(alignment_decoder(model, table), device, properties)

        requests._alignment_compiler = compile_aligner
        return requests

    def encode(self, window: np.ndarray, frames: int) -> np.ndarray:
        """The encoder's output for a 30 s ``window`` whose first ``frames`` mel frames hold audio."""
        request = self._encoder.take()
        try:
            inputs = {next(iter(self._encoder_inputs - {"num_frames"})): window}
            if "num_frames" in self._encoder_inputs:
                inputs["num_frames"] = np.array([frames], np.int32)
            return np.array(request.infer(inputs)[0])
        finally:
            self._encoder.give(request)

    def decode(
        self,
        encoded: np.ndarray,
        prompt: list[int],
        timestamps: bool,
        opts: DecodeOptions,
        temperature: float,
        rng: Any,
    ) -> Hypothesis:
        """One decoding of a window at ``temperature``: beam search or greedy at 0, else
        ``best_of`` samples."""
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

    def text(self, ids: list[int] | tuple[int, ...]) -> str:
        """The text of ``ids`` (timestamps and special tokens left out)."""
        ids = [t for t in ids if t < self.tokens.eot]
        if not ids:
            return ""
        request = self._detokenizer.take()
        try:
            return str(request.infer([np.array([ids], np.int64)])[0][0])
        finally:
            self._detokenizer.give(request)

    def language_logits(self, encoded: np.ndarray) -> np.ndarray:
        """The decoder's logits for the language tokens right after ``<|startoftranscript|>``
        (in the order of ``tokens.languages``)."""
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
            return np.array(out["logits"][0, -1, ids], np.float64)
        finally:
            self._decoder.give(request)

    def align(self, encoded: np.ndarray, start: list[int], text: list[int]) -> tuple[np.ndarray, np.ndarray]:
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
