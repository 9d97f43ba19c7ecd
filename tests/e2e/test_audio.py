"""Audio recipes end to end: files in through the generated loader, against the models' own paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for


def _voiced(seconds: float, rate: int, f0: float, seed: int = 0) -> np.ndarray:
    """A deterministic vowel-like signal: harmonics of f0 with vibrato, plus a little noise."""
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * f0 * (t + 0.002 * np.sin(2 * np.pi * 5 * t))
    wave = sum(np.sin(k * phase) / k for k in range(1, 12))
    noise = 0.01 * np.random.default_rng(seed).standard_normal(len(t))
    return (0.2 * wave + noise).astype(np.float32)


@pytest.fixture(scope="module")
def wav_44k_stereo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import soundfile as sf

    path = tmp_path_factory.mktemp("audio") / "voice.wav"
    mono = _voiced(3.0, 44100, 140.0)
    sf.write(path, np.stack([mono, 0.5 * mono], axis=1), 44100)
    return path


def test_speaker_encoder_from_a_file_matches_pytorch(shared_store: Path, wav_44k_stereo: Path) -> None:
    import torch

    from ovbuild.factories.resemblyzer import speaker_encoder
    from ovbuild.runtime.audio import audio_decode, audio_features, audio_pad_or_chunk, audio_to_mono

    result = build(recipe_for("recipe=speaker_encoder", "device.inference_precision=f32", root=shared_store))
    model = import_loader(result.path).load()
    got = model(str(wav_44k_stereo))
    embeddings = next(iter(got.values()))
    samples = result.manifest.stages["frontend"]["num_samples"]
    assert embeddings.shape == (-(-int(3.0 * 16000) // samples), 256)  # one row per 1.6 s partial
    wave, _ = audio_decode(str(wav_44k_stereo), sample_rate=16000)
    rows = audio_pad_or_chunk(audio_to_mono(wave), samples, "chunk")
    mels = np.stack([audio_features(row, result.manifest.frontend).T for row in rows])
    with torch.no_grad():
        expected = speaker_encoder()(torch.from_numpy(mels.astype(np.float32))).numpy()
    cosines = np.sum(embeddings * expected, axis=1) / (
        np.linalg.norm(embeddings, axis=1) * np.linalg.norm(expected, axis=1)
    )
    assert cosines.min() >= 0.999, cosines


def test_basic_pitch_from_a_file_matches_the_plain_model(shared_store: Path, wav_44k_stereo: Path) -> None:
    from ovbuild.runtime.audio import audio_decode, audio_pad_or_chunk, audio_to_mono

    audio = build(recipe_for("recipe=basic_pitch_audio", "device.inference_precision=f32", root=shared_store))
    plain = build(recipe_for("recipe=basic_pitch_onnx", "device.inference_precision=f32", root=shared_store))
    from_file = import_loader(audio.path).load()(str(wav_44k_stereo))
    wave, _ = audio_decode(str(wav_44k_stereo), sample_rate=22050)
    rows = audio_pad_or_chunk(audio_to_mono(wave), 43844, "chunk")
    reference = import_loader(plain.path).load()
    expected = [reference(row[None, :, None]) for row in rows]
    assert len(rows) == 2  # 3 s at 22050 Hz is two 2 s windows
    for name in from_file:
        np.testing.assert_allclose(from_file[name], np.concatenate([e[name] for e in expected]), atol=1e-5)


def test_bad_item_in_a_batch_is_reported_and_the_others_run(
    shared_store: Path, wav_44k_stereo: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(wav_44k_stereo.read_bytes()[:300])  # a truncated file
    result = build(recipe_for("recipe=speaker_encoder", "device.inference_precision=f32", root=shared_store))
    model = import_loader(result.path).load()
    out = model.infer_batch([str(wav_44k_stereo), str(broken), str(wav_44k_stereo)], on_error="skip")
    assert "error" in out[1] and "broken.wav" in out[1]["error"]
    first, third = (next(iter(o.values())) for o in (out[0], out[2]))
    np.testing.assert_allclose(first, third, rtol=1e-5)
    with pytest.raises(ValueError, match="broken.wav"):
        model.infer_batch([str(broken)])
