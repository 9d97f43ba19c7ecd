"""Text generation for generative artifacts: greedy or sampled decoding over a stateful decoder.

The KV cache lives in OpenVINO state inside each infer request, so every call (or session) owns
its own requests and many threads can generate at once. Tokenizer and detokenizer are the
artifact's openvino-tokenizers IRs: no ``transformers`` or ``torch`` at run time. Part of the
generated loader (standard library, numpy and openvino only).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .manifest import Manifest


class Token(NamedTuple):
    """One generated token: its id and the text it adds to the output (may be empty)."""

    id: int
    text: str


class GenerationConfig(NamedTuple):
    max_new_tokens: int = 32
    do_sample: bool = False
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = None


def _pick_token(logits: np.ndarray, cfg: GenerationConfig, rng: np.random.Generator) -> int:
    """Greedy argmax, or a sample after temperature / top-k / top-p filtering."""
    if not cfg.do_sample:
        return int(np.argmax(logits))
    scores = logits.astype(np.float64) / max(cfg.temperature, 1e-6)
    if cfg.top_k and cfg.top_k < scores.size:
        cutoff = np.partition(scores, -cfg.top_k)[-cfg.top_k]
        scores = np.where(scores < cutoff, -np.inf, scores)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    if cfg.top_p < 1.0:
        order = np.argsort(-probs)
        keep = np.cumsum(probs[order]) - probs[order] < cfg.top_p
        mask = np.zeros_like(probs, dtype=bool)
        mask[order[keep]] = True
        probs = np.where(mask, probs, 0.0)
        probs /= probs.sum()
    return int(rng.choice(probs.size, p=probs))


class CausalDecoder:
    """One sequence through a stateful decoder-only LM (optimum-intel's stateful export).

    ``session`` is a :class:`~.session.Session` (own infer request, persistent KV-cache state).
    """

    def __init__(self, session: Any) -> None:
        self.session = session
        self.names = set(session.input_names)
        self.length = 0

    def start(self, prompt_ids: np.ndarray) -> np.ndarray:
        self.session.reset()
        self.length = 0
        return self._step(prompt_ids)

    def next(self, token: int) -> np.ndarray:
        return self._step(np.array([token], np.int64))

    def _step(self, ids: np.ndarray) -> np.ndarray:
        total = self.length + len(ids)
        feeds = {"input_ids": ids[None].astype(np.int64)}
        if "attention_mask" in self.names:
            feeds["attention_mask"] = np.ones((1, total), np.int64)
        if "position_ids" in self.names:
            feeds["position_ids"] = np.arange(self.length, total, dtype=np.int64)[None]
        if "beam_idx" in self.names:
            feeds["beam_idx"] = np.zeros(1, np.int32)
        self.length = total
        return self.session(feeds)["logits"][0, -1]

    def close(self) -> None:
        self.session.close()


class Seq2SeqDecoder:
    """One sequence through an encoder and a stateful decoder (T5-style export), each a session."""

    def __init__(self, encoder: Any, decoder: Any, start_id: int) -> None:
        self.encoder = encoder
        self.decoder = decoder
        self.names = set(decoder.input_names)
        self.start_id = start_id
        self.feeds: dict[str, np.ndarray] = {}

    def start(self, prompt_ids: np.ndarray) -> np.ndarray:
        mask = np.ones((1, len(prompt_ids)), np.int64)
        encoded = self.encoder({"input_ids": prompt_ids[None], "attention_mask": mask})
        self.feeds = {"encoder_hidden_states": encoded["last_hidden_state"]}
        if "encoder_attention_mask" in self.names:
            self.feeds["encoder_attention_mask"] = mask
        if "beam_idx" in self.names:
            self.feeds["beam_idx"] = np.zeros(1, np.int32)
        self.decoder.reset()
        return self.next(self.start_id)

    def next(self, token: int) -> np.ndarray:
        return self.decoder({**self.feeds, "input_ids": np.array([[token]], np.int64)})["logits"][0, -1]

    def close(self) -> None:
        self.encoder.close()
        self.decoder.close()


def open_decoder(kind: str, open_session: Any, start_id: int | None) -> Any:
    """A fresh single-sequence decoder; ``open_session(role)`` gives a session on the main model
    (``None``: the LM, or the encoder) or on a sub-model (``"decoder"``)."""
    if kind == "causal":
        return CausalDecoder(open_session(None))
    return Seq2SeqDecoder(
        open_session(None), open_session("decoder"), 0 if start_id is None else int(start_id)
    )


class _Detokenizer:
    """Incremental detokenization: yields only text that is complete (no half UTF-8 sequence)."""

    def __init__(self, decode: Any) -> None:
        self.decode = decode
        self.ids: list[int] = []
        self.emitted = ""

    def push(self, token: int) -> str:
        self.ids.append(token)
        text = self.decode([self.ids])[0]
        if text.endswith("\ufffd"):
            return ""  # a multi-byte character is split across tokens; wait for the rest
        return self._emit(text)

    def flush(self) -> str:
        return self._emit(self.decode([self.ids])[0]) if self.ids else ""

    def _emit(self, text: str) -> str:
        if not text.startswith(self.emitted):
            return ""  # the detokenizer revised earlier text (rare); keep what was sent
        piece, self.emitted = text[len(self.emitted) :], text
        return piece


class TextGenerator:
    """``generate`` / ``stream`` for an artifact whose convert stage recorded ``generation``."""

    def __init__(self, artifact_dir: Path, manifest: Manifest, open_session: Any) -> None:
        self.info = manifest.generation or {}
        if not self.info:
            raise TypeError("this artifact is not a generative model; it has no generate()")
        if self.info["kind"] not in ("causal", "seq2seq"):
            raise TypeError(f"this is a {self.info['kind']} model: use transcribe(), not generate()")
        self.core: Any = None
        self.artifact_dir = artifact_dir
        self.open_session = open_session
        self.eos = set(self.info.get("eos_token_ids") or [])
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._detokenizer: Any = None

    def _ensure(self) -> None:
        with self._lock:
            if self._tokenizer is not None:
                return
            import openvino as ov
            import openvino_tokenizers  # noqa: F401  (registers the tokenizer ops on new Cores)

            self.core = ov.Core()

            # Tokenizers run on CPU: their string ops exist on no other device.
            detok = self.core.compile_model(str(self.artifact_dir / self.info["detokenizer"]), "CPU")
            self._detokenizer = detok
            self._tokenizer = self.core.compile_model(str(self.artifact_dir / self.info["tokenizer"]), "CPU")

    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text`` (special tokens added as the model's tokenizer does)."""
        self._ensure()
        out = self._tokenizer.create_infer_request().infer([np.array([text])])
        return np.asarray(out["input_ids"])[0].astype(np.int64)

    def decode(self, rows: list[list[int]]) -> list[str]:
        """Text of each row of token ids (special tokens skipped)."""
        self._ensure()
        ids = np.array(rows, np.int64).reshape(len(rows), -1)
        out = self._detokenizer.create_infer_request().infer([ids])
        return [str(s) for s in np.asarray(out[0]).reshape(-1)]

    def _sequence(self) -> Any:
        return open_decoder(self.info["kind"], self.open_session, self.info.get("decoder_start_token_id"))

    def token_ids(self, prompt_ids: np.ndarray, cfg: GenerationConfig) -> Iterator[int]:
        """New token ids for ``prompt_ids``, the end-of-sequence token included when reached."""
        self._ensure()
        if cfg.max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be >= 0, got {cfg.max_new_tokens}")
        if cfg.max_new_tokens == 0:
            return
        limit = self.info.get("max_positions")
        budget = cfg.max_new_tokens
        if limit and self.info["kind"] == "causal":
            if len(prompt_ids) >= limit:
                raise ValueError(f"the prompt has {len(prompt_ids)} tokens; this model takes at most {limit}")
            budget = min(budget, limit - len(prompt_ids))
        rng = np.random.default_rng(cfg.seed)
        sequence = self._sequence()
        try:  # an abandoned stream closes its sessions too (GeneratorExit runs the finally)
            logits = sequence.start(prompt_ids)
            for step in range(budget):
                token = _pick_token(logits, cfg, rng)
                yield token
                if token in self.eos or step == budget - 1:
                    return
                logits = sequence.next(token)
        finally:
            sequence.close()

    def stream(self, prompt: str, cfg: GenerationConfig) -> Iterator[Token]:
        """Tokens as they are generated, each with the text it completes."""
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
        detok = _Detokenizer(self.decode)
        last: int | None = None
        for token in self.token_ids(self.encode(prompt), cfg):
            if last is not None:
                yield Token(last, detok.push(last))
            last = token
        if last is not None:
            detok.ids.append(last)
            yield Token(last, detok.flush())

    def generate(self, prompt: str | list[str], cfg: GenerationConfig) -> str | list[str]:
        if isinstance(prompt, str):
            return "".join(token.text for token in self.stream(prompt, cfg))
        return [self.generate(one, cfg) for one in prompt]
