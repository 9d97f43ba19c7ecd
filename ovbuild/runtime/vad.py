"""Voice activity detection with a Silero VAD artifact, as faster-whisper's ``vad_filter`` uses it.

The Silero VAD IR scores 512-sample windows of 16 kHz audio; like silero-vad's own wrapper it is
fed each window with the last 64 samples before it in front (576 samples), and its LSTM state
carries from window to window. :class:`VadOptions` are faster-whisper's rules for turning those
probabilities into speech spans (a threshold, a lower release threshold, minimum speech and
silence lengths, padding); speech_spans.py applies them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512
CONTEXT = 64
#: Windows per call of the sequence model (16 s of audio).
BLOCK = 512
#: Silero VAD artifacts looked up beside a Whisper artifact in its store, the faster first.
VAD_ARTIFACTS = ("silero_vad_sequence", "silero_vad")


class VadError(ValueError):
    """No usable Silero VAD artifact, or bad VAD options."""


@dataclass(frozen=True)
class VadOptions:
    """faster-whisper's ``VadOptions`` (same names, same defaults).

    A window is speech from ``threshold`` up; speech ends after ``min_silence_duration_ms`` below
    ``neg_threshold`` (default ``threshold - 0.15``); spans shorter than ``min_speech_duration_ms``
    are dropped, spans longer than ``max_speech_duration_s`` are cut (at a pause of 98 ms or more
    if there was one), and every span is padded by ``speech_pad_ms`` on each side.
    """

    threshold: float = 0.5
    neg_threshold: float | None = None
    min_speech_duration_ms: int = 0
    max_speech_duration_s: float = float("inf")
    min_silence_duration_ms: int = 2000
    speech_pad_ms: int = 400

    @classmethod
    def of(cls, value: VadOptions | dict[str, Any] | None) -> VadOptions:
        """``vad_parameters`` as faster-whisper takes them: options, a dict of them, or ``None``."""
        if value is None or isinstance(value, VadOptions):
            return value or cls()
        if not isinstance(value, dict):
            raise VadError(f"vad_parameters must be a dict or VadOptions, got {type(value).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise VadError(f"vad_parameters: unknown option(s) {unknown}; known: {sorted(known)}")
        return cls(**value)

    @property
    def release(self) -> float:
        return self.neg_threshold if self.neg_threshold is not None else max(self.threshold - 0.15, 0.01)


class SileroVad:
    """Speech probabilities from a Silero VAD IR; safe to use from many threads.

    Two forms of the model are taken: the one-window model (``recipes/silero_vad.yaml``: inputs
    ``input``, ``state``, ``sr``; one call per window) and the sequence model
    (``recipes/silero_vad_sequence.yaml``: ``input`` [T, 576], ``h``, ``c``; one call per block of
    windows, the same probabilities 4-6x faster).
    """

    def __init__(self, model_xml: Path) -> None:
        import openvino as ov

        model = ov.Core().read_model(str(model_xml))
        names = {p.get_any_name() for p in model.inputs}
        if {"input", "h", "c"} <= names:
            self.sequence = True
        elif {"input", "state", "sr"} <= names:
            self.sequence = False
            # The recipe fixes [1, 512]; the graph takes any length, and silero feeds 64 samples of context.
            model.reshape({"input": [1, CONTEXT + WINDOW]})
        else:
            raise VadError(f"{model_xml}: not a Silero VAD model (inputs {sorted(names)})")
        # Small and sequential: one thread, in f32 (the threshold decisions stay those of the model).
        self._compiled = ov.Core().compile_model(
            model, "CPU", {"INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "f32"}
        )
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    @classmethod
    def from_artifact(cls, artifact: Any) -> SileroVad:
        """From a loaded Silero VAD artifact (its ``Model``) or the path of its directory (loaded,
        and so digest-checked, here)."""
        if not hasattr(artifact, "manifest"):
            from .loading import load_artifact

            path = Path(artifact)
            if not (path / "manifest.json").is_file():
                raise VadError(f"vad_model: {path} is not an artifact directory (no manifest.json)")
            artifact = load_artifact(path)
        return cls(Path(artifact.artifact_dir) / artifact.manifest.model)

    def stream(self) -> VadStream:
        """An incremental scorer for live audio (its own state)."""
        return VadStream(self)

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability of every 512-sample window of 16 kHz ``samples`` (the last one zero-padded)."""
        stream = self.stream()
        padded = np.zeros(-(-len(samples) // WINDOW) * WINDOW, np.float32)
        padded[: len(samples)] = samples
        return stream.feed(padded)

    def _run(self, windows: np.ndarray, context: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, Any]:
        """Probabilities of ``windows`` [n, 512] after ``context`` (the 64 samples before them),
        from LSTM ``state`` [2, 1, 128] (h, c); returns them and the state after."""
        with self._lock:
            request = self._idle.pop() if self._idle else self._compiled.create_infer_request()
        try:
            if self.sequence:
                return self._run_blocks(request, windows, context, state)
            return self._run_windows(request, windows, context, state)
        finally:
            with self._lock:
                self._idle.append(request)

    @staticmethod
    def _run_blocks(request: Any, windows: np.ndarray, context: np.ndarray, state: np.ndarray) -> tuple:
        frames = np.empty((len(windows), CONTEXT + WINDOW), np.float32)
        frames[:, CONTEXT:] = windows
        frames[0, :CONTEXT] = context
        frames[1:, :CONTEXT] = windows[:-1, -CONTEXT:]
        probs = []
        h, c = state[:1], state[1:]
        for at in range(0, len(frames), BLOCK):
            out = request.infer({"input": frames[at : at + BLOCK], "h": h, "c": c})
            probs.append(np.ravel(out[0]).copy())
            h, c = np.array(out[1]), np.array(out[2])
        return np.concatenate(probs), np.concatenate([h, c])

    @staticmethod
    def _run_windows(request: Any, windows: np.ndarray, context: np.ndarray, state: np.ndarray) -> tuple:
        # The request's own tensors are written in place: no per-window conversion of a dict.
        frame = request.get_tensor("input").data
        state_in = request.get_tensor("state").data
        request.get_tensor("sr").data[...] = SAMPLE_RATE
        prob_out, state_out = request.get_output_tensor(0), request.get_output_tensor(1)
        state_in[...] = state
        probs = np.empty(len(windows), np.float32)
        for i, window in enumerate(windows):
            frame[0, :CONTEXT] = context
            frame[0, CONTEXT:] = window
            request.infer()
            probs[i] = prob_out.data.flat[0]
            state_in[...] = state_out.data
            context = window[-CONTEXT:]
        return probs, state_in.copy()


class VadStream:
    """Silero VAD over audio that arrives in pieces of any length: ``feed`` returns the probability
    of each window completed so far (one per 512 samples, 32 ms)."""

    def __init__(self, vad: SileroVad) -> None:
        self._vad = vad
        self._state = np.zeros((2, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        data = np.concatenate([self._pending, np.asarray(samples, np.float32).ravel()])
        whole = len(data) // WINDOW * WINDOW
        self._pending = data[whole:]
        if not whole:
            return np.zeros(0, np.float32)
        windows = data[:whole].reshape(-1, WINDOW)
        probs, self._state = self._vad._run(windows, self._context, self._state)
        self._context = windows[-1, -CONTEXT:].copy()
        return probs


def sibling_vad_artifact(artifact_dir: Path) -> Path | None:
    """The newest Silero VAD artifact in the store holding ``artifact_dir``
    (``<store>/artifacts/<name>/<version>/`` → ``<store>/artifacts/silero_vad_sequence/latest``,
    else ``.../silero_vad/latest``)."""
    artifacts = Path(artifact_dir).resolve().parent.parent
    for name in VAD_ARTIFACTS:
        if (artifacts / name / "latest" / "manifest.json").is_file():
            return artifacts / name / "latest"
    return None
