"""The frontend stage prepends the in-graph audio front-end; the loader then takes audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import StageError, build, load_recipe
from ovbuild.runtime import import_loader


def _frames_model(path: Path, frames: int, n_mels: int) -> np.ndarray:
    """A small real model over [1, frames, n_mels] features: a projection, then mean over time."""
    import openvino as ov
    import openvino.opset15 as ops

    weights = np.random.default_rng(0).standard_normal((n_mels, 8)).astype(np.float32)
    feats = ops.parameter([1, frames, n_mels], np.float32, name="mels")
    feats.output(0).set_names({"mels"})
    out = ops.reduce_mean(
        ops.matmul(feats, ops.constant(weights), False, False), ops.constant(np.array([1])), False
    )
    out.output(0).set_names({"embedding"})
    ov.save_model(ov.Model([out], [feats], "frames"), str(path))
    return weights


def _recipe(model: Path, store: Path, **frontend) -> dict:
    return load_recipe(
        raw={
            "name": "toy_audio",
            "source": {"kind": "ir", "path": str(model)},
            "device": {"inference_precision": "f32"},
            "frontend": {"kind": "audio", "n_mels": 40, "input_layout": "NTC", **frontend},
            "store": {"root": str(store)},
        }
    )


def test_artifact_takes_a_waveform_and_matches_host_features(tmp_path: Path) -> None:
    from ovbuild.runtime.audio import audio_features

    weights = _frames_model(tmp_path / "m.xml", frames=101, n_mels=40)
    result = build(_recipe(tmp_path / "m.xml", tmp_path / "store"))
    stage = result.manifest.stages["frontend"]
    assert stage["embedded"] and stage["num_samples"] == 16000 and stage["feeds"] == "mels"
    model = import_loader(result.path).load()
    assert model.input_names == ["waveform"]
    rate = 22050
    t = np.arange(rate) / rate
    clip = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    got = model((clip, rate))["embedding"]
    from ovbuild.runtime.audio import audio_pad_or_chunk, audio_resample

    wave = audio_pad_or_chunk(audio_resample(clip, rate, 16000), 16000)[0]
    cfg = result.manifest.frontend
    expected = audio_features(wave, cfg).T @ weights  # [frames, 8]
    # The in-graph features are within 0.01 dB of the host's; through the projection that bounds
    # each output by 0.01 * sum(|w|) of its column.
    bound = 0.01 * np.abs(weights).sum(axis=0)
    assert np.all(np.abs(got[0] - expected.mean(axis=0)) <= bound), (got[0], expected.mean(axis=0), bound)


def test_frontend_that_does_not_fit_the_input_is_a_clear_error(tmp_path: Path) -> None:
    _frames_model(tmp_path / "m.xml", frames=101, n_mels=40)
    with pytest.raises(StageError, match="frontend"):
        build(_recipe(tmp_path / "m.xml", tmp_path / "store", n_mels=64))
    assert not (tmp_path / "store" / "artifacts").exists()
