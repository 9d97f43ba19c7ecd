"""Silero VAD as ``vad_filter`` uses it: the artifact's probabilities equal silero-vad's own ONNX
run through onnxruntime, and spans, padding and time mapping equal faster-whisper's on the same
probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.runtime.speech_spans import SpeechGroup, speech_groups, speech_spans
from ovbuild.runtime.vad import SileroVad, VadError, VadOptions, sibling_vad_artifact

OPTIONS = [
    VadOptions(),
    VadOptions(min_silence_duration_ms=100, speech_pad_ms=30, min_speech_duration_ms=250),
    VadOptions(threshold=0.3, neg_threshold=0.2, max_speech_duration_s=3.0, min_silence_duration_ms=300),
    VadOptions(max_speech_duration_s=1.5, min_silence_duration_ms=0, speech_pad_ms=0),
]


def _probabilities(seed: int, windows: int = 900) -> np.ndarray:
    """Bursts of speech-like and silence-like probabilities with noise around the thresholds."""
    rng = np.random.default_rng(seed)
    out, speaking = [], False
    while len(out) < windows:
        run = int(rng.integers(1, 120))
        level = rng.uniform(0.55, 1.0) if speaking else rng.uniform(0.0, 0.45)
        out += list(np.clip(level + rng.normal(0, 0.12, run), 0, 1))
        speaking = not speaking
    return np.array(out[:windows], np.float32)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: f"pad{o.speech_pad_ms}-max{o.max_speech_duration_s}"
)
def test_speech_spans_equal_faster_whisper_on_the_same_probabilities(seed, options, monkeypatch):
    vad = pytest.importorskip("faster_whisper.vad")
    probs = _probabilities(seed)
    length = len(probs) * 512 - int(np.random.default_rng(seed).integers(1, 511))
    # faster-whisper's own state machine, fed these probabilities in place of its ONNX model.
    monkeypatch.setattr(vad, "get_vad_model", lambda: lambda audio: probs[: len(audio) // 512])
    fields = {k: getattr(options, k) for k in vad.VadOptions.__dataclass_fields__}
    expected = vad.get_speech_timestamps(np.zeros(length, np.float32), vad.VadOptions(**fields))
    assert speech_spans(probs, length, options) == [(s["start"], s["end"]) for s in expected]


def test_times_map_back_like_faster_whisper():
    vad = pytest.importorskip("faster_whisper.vad")
    spans = ((8000, 40000), (72000, 90000), (200000, 260000))
    group = SpeechGroup(np.zeros(sum(b - a for a, b in spans), np.float32), spans)
    reference = vad.SpeechTimestampsMap([{"start": a, "end": b} for a, b in spans], 16000)
    for t in (0.0, 0.5, 1.99, 2.0, 2.01, 3.0, 3.125, 5.0, 6.875):
        for is_end in (False, True):
            assert group.original_time(t, is_end=is_end) == pytest.approx(
                reference.get_original_time(t, is_end=is_end), abs=0.006
            ), (t, is_end)


def test_bad_options_and_a_missing_artifact_are_clear_errors(tmp_path: Path):
    with pytest.raises(VadError, match=r"unknown option\(s\) \['treshold'\]"):
        VadOptions.of({"treshold": 0.4})
    assert VadOptions.of({"threshold": 0.4}).release == pytest.approx(0.25)
    with pytest.raises(VadError, match="not an artifact directory"):
        SileroVad.from_artifact(tmp_path)
    assert sibling_vad_artifact(tmp_path / "artifacts" / "whisper" / "1") is None


def _onnxruntime_probabilities(samples: np.ndarray) -> np.ndarray:
    """silero-vad's one-window ONNX model through onnxruntime, fed as silero's wrapper feeds it."""
    ort = pytest.importorskip("onnxruntime")
    from importlib.resources import files

    session = ort.InferenceSession(str(files("silero_vad") / "data" / "silero_vad_16k_op15.onnx"))
    state, context, out = np.zeros((2, 1, 128), np.float32), np.zeros((1, 64), np.float32), []
    for at in range(0, len(samples), 512):
        window = np.zeros((1, 512), np.float32)
        window[0, : len(samples[at : at + 512])] = samples[at : at + 512]
        prob, state = session.run(
            None, {"input": np.concatenate([context, window], 1), "state": state, "sr": np.array(16000)}
        )
        context = window[:, -64:]
        out.append(float(np.ravel(prob)[0]))
    return np.array(out, np.float32)


@pytest.fixture(scope="module")
def spoken() -> np.ndarray:
    from ovbuild.speech.timeline import timeline

    pytest.importorskip("silero_vad")
    try:
        return timeline(
            ["The birch canoe slid on the smooth planks.", "Rice is often served."], [2.0, 1.0]
        ).samples
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("which", ["vad_artifact", "vad_sequence_artifact"])
def test_artifact_probabilities_equal_silero_onnx_and_stream_in_any_pieces(which, spoken, request):
    vad = SileroVad.from_artifact(request.getfixturevalue(which))
    probs = vad.probabilities(spoken)
    expected = _onnxruntime_probabilities(spoken)
    assert np.abs(probs - expected).max() < 1e-4
    assert (expected > 0.5).sum() > 50 and (expected < 0.2).sum() > 50  # speech and silence both present
    stream, rng, parts, at = vad.stream(), np.random.default_rng(0), [], 0
    while at < len(spoken):
        step = int(rng.integers(100, 20000))
        parts.append(stream.feed(spoken[at : at + step]))
        at += step
    streamed = np.concatenate(parts)
    assert len(streamed) == len(spoken) // 512
    assert np.abs(streamed - probs[: len(streamed)]).max() < 1e-5


def test_speech_groups_drop_the_silence_and_stay_under_30_s(vad_sequence_artifact, spoken):
    vad = SileroVad.from_artifact(vad_sequence_artifact)
    long = np.concatenate([spoken] * 8)  # about 60 s, half of it silence
    groups = speech_groups(long, vad, VadOptions(min_silence_duration_ms=500, speech_pad_ms=100))
    assert len(groups) >= 2
    assert all(len(g.audio) <= 30 * 16000 for g in groups)
    kept = sum(len(g.audio) for g in groups)
    assert 0.3 * len(long) < kept < 0.8 * len(long)
    assert speech_groups(np.zeros(16000 * 5, np.float32), vad, VadOptions()) == []
