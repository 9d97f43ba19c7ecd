"""resemblyzer's speaker encoder converted to OpenVINO behind the in-graph mel front-end vs
resemblyzer's own ``wav_to_mel_spectrogram`` + PyTorch forward, on real espeak-ng speech."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ovbuild.frontends.audio_graph import build_audio_frontend, prepend_frontend
from ovbuild.runtime.audio import audio_decode, audio_pad_or_chunk, audio_to_mono

SR = 16000
SECONDS = 3
VOICES = ("en-us", "en-us+f3")
TEXTS = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Six spoons of fresh snow peas, five thick slabs of blue cheese.",
)


@pytest.fixture(scope="module")
def encoders():
    torch = pytest.importorskip("torch")
    ov = pytest.importorskip("openvino")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder
            from resemblyzer.audio import wav_to_mel_spectrogram
    except ImportError as e:
        pytest.skip(f"resemblyzer (with webrtcvad) is not importable: {e}")
    from ovbuild.factories.resemblyzer import RESEMBLYZER_FRONTEND, speaker_encoder

    n = SECONDS * SR
    frames = 1 + n // RESEMBLYZER_FRONTEND["hop_length"]
    model = ov.convert_model(
        speaker_encoder(), example_input=torch.rand(1, frames, 40), input=[ov.PartialShape([-1, frames, 40])]
    )
    merged = prepend_frontend(
        build_audio_frontend(RESEMBLYZER_FRONTEND, n), model, model.inputs[0].get_any_name(), "NTC"
    )
    compiled = ov.Core().compile_model(merged, "CPU")
    reference = VoiceEncoder("cpu", verbose=False)

    def ours(x: np.ndarray) -> np.ndarray:
        return compiled(x[None])[0][0]

    def theirs(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return reference(torch.from_numpy(wav_to_mel_spectrogram(x)[None])).numpy()[0]

    return ours, theirs, n


def test_speaker_embeddings_match_and_separate_voices(encoders, speak):
    ours, theirs, n = encoders
    emb = {}
    for voice in VOICES:
        for i, text in enumerate(TEXTS):
            x, _ = audio_decode(speak(text, voice), SR)
            x = audio_pad_or_chunk(audio_to_mono(x), n)[0]
            a, b = ours(x), theirs(x)
            cos = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
            assert cos >= 0.999, f"{voice} #{i}: cosine {cos}"
            emb[voice, i] = a
    same = [float(emb[v, i] @ emb[v, j]) for v in VOICES for i in range(3) for j in range(i + 1, 3)]
    cross = [float(emb[VOICES[0], i] @ emb[VOICES[1], j]) for i in range(3) for j in range(3)]
    assert min(same) > max(cross), f"same-voice {same} vs cross-voice {cross}"
