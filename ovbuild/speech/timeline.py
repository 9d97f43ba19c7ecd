"""Test speech with known timing: espeak-ng sentences laid out on a timeline with silences between.

Used by the VAD, word-timing and streaming tests and benchmarks: each sentence's start and end in
the audio are known exactly, so delays and timestamps can be measured against them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
#: espeak-ng leaves this much near-silence around a sentence; trimmed so spans are the voice.
_QUIET = 1e-3


@dataclass(frozen=True)
class Timeline:
    """``samples`` (16 kHz mono float32) and, per sentence, its text and (start, end) seconds."""

    samples: np.ndarray
    texts: tuple[str, ...]
    spans: tuple[tuple[float, float], ...]

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def speak(text: str, voice: str = "en-us", speed: int = 150) -> np.ndarray:
    """``text`` spoken by espeak-ng, 16 kHz mono float32, leading and trailing silence trimmed.

    Raises:
        RuntimeError: espeak-ng is not installed.
    """
    from ovbuild.runtime.audio import audio_decode, audio_to_mono

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install -y espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "s.wav"
        subprocess.run(
            [espeak, "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True, capture_output=True
        )
        x, _ = audio_decode(str(wav), SAMPLE_RATE)
    x = audio_to_mono(x).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > _QUIET)
    return x[loud[0] : loud[-1] + 1] if len(loud) else x


def timeline(
    texts: list[str], pauses: list[float], *, lead: float = 0.5, voice: str = "en-us", noise: float = 0.0
) -> Timeline:
    """Sentences ``texts`` with ``pauses[i]`` seconds of silence after sentence ``i`` (the last
    pause is the tail), ``lead`` seconds before the first; ``noise`` adds white noise of that RMS."""
    if len(pauses) != len(texts):
        raise ValueError(f"{len(texts)} sentences need {len(texts)} pauses, got {len(pauses)}")
    parts = [np.zeros(int(lead * SAMPLE_RATE), np.float32)]
    spans = []
    at = len(parts[0])
    for text, pause in zip(texts, pauses, strict=True):
        voice_samples = speak(text, voice)
        spans.append((at / SAMPLE_RATE, (at + len(voice_samples)) / SAMPLE_RATE))
        parts += [voice_samples, np.zeros(int(pause * SAMPLE_RATE), np.float32)]
        at += len(voice_samples) + len(parts[-1])
    samples = np.concatenate(parts)
    if noise:
        samples = samples + noise * np.random.default_rng(0).standard_normal(len(samples)).astype(np.float32)
    return Timeline(samples.astype(np.float32), tuple(texts), tuple(spans))


def silence_share(line: Timeline) -> float:
    """The share of ``line``'s duration outside its sentences."""
    voiced = sum(end - start for start, end in line.spans)
    return 1.0 - voiced / line.seconds
