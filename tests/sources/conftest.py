"""Fixtures for the source tests: tiny random-weight HuggingFace models and real speech."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ESPEAK = shutil.which("espeak-ng")
SPEECH_TEXT = "She sells sea shells by the sea shore, and the shells she sells are surely seashells."


def _tiny_configs() -> dict:
    import transformers as T

    small = {"num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 37}
    return {
        "bert": (T.BertConfig(hidden_size=32, vocab_size=120, **small), T.BertModel),
        "t5": (
            T.T5Config(
                d_model=32, d_ff=37, num_layers=2, num_decoder_layers=2, num_heads=2, d_kv=16,
                vocab_size=120, decoder_start_token_id=0,
            ),
            T.T5ForConditionalGeneration,
        ),
        "vit": (
            T.ViTConfig(hidden_size=32, image_size=32, patch_size=8, num_labels=3, **small),
            T.ViTForImageClassification,
        ),
        "whisper": (
            T.WhisperConfig(
                d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
                decoder_attention_heads=2, encoder_ffn_dim=37, decoder_ffn_dim=37, vocab_size=120,
                num_mel_bins=80, max_source_positions=1500, max_target_positions=64, pad_token_id=1,
                bos_token_id=2, eos_token_id=3, decoder_start_token_id=2, suppress_tokens=[],
                begin_suppress_tokens=[],
            ),
            T.WhisperForConditionalGeneration,
        ),
    }  # fmt: skip


@pytest.fixture(scope="session")
def tiny_hf(tmp_path_factory: pytest.TempPathFactory):
    """``tiny_hf(name) -> (model dir, torch model)`` for bert, t5, vit, whisper (hidden 32, 2 layers)."""
    import torch

    root = tmp_path_factory.mktemp("tiny_hf")
    made: dict[str, tuple[Path, object]] = {}
    configs = _tiny_configs()

    def make(name: str):
        if name not in made:
            config, cls = configs[name]
            torch.manual_seed(0)
            model = cls(config).eval()
            model.save_pretrained(root / name)
            if name in ("t5", "whisper"):  # generative: exported with their tokenizer IRs
                from tests._tiny_lm import tiny_tokenizer

                tiny_tokenizer("t5").save_pretrained(root / name)
            made[name] = (root / name, model)
        return made[name]

    return make


@pytest.fixture(scope="session")
def speech_16k(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """Real speech (espeak-ng) at 16 kHz mono float32; a synthetic voiced signal without espeak-ng."""
    if ESPEAK is None:
        import warnings

        warnings.warn("espeak-ng is not installed: source tests use a synthetic voice", stacklevel=2)
        t = np.arange(3 * 16000) / 16000
        f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)  # a gliding pitch with harmonics, like a voice
        phase = 2 * np.pi * np.cumsum(f0) / 16000
        return sum(0.3 / k * np.sin(k * phase) for k in range(1, 8)).astype(np.float32)
    import soundfile as sf
    import soxr

    wav = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run([ESPEAK, "-v", "en-us", "-w", str(wav), SPEECH_TEXT], check=True, capture_output=True)
    samples, rate = sf.read(str(wav), dtype="float32")
    return soxr.resample(samples, rate, 16000).astype(np.float32)
