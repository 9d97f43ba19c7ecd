"""The in-graph audio front-end: parity with librosa / transformers at the CPU's default precision,
the f32 pins read back from the runtime model, serialisation, and prepending to a model."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.frontends.audio_graph import (
    FRONTEND_PREFIX,
    build_audio_frontend,
    frontend_runtime_precisions,
    prepend_frontend,
)
from ovbuild.runtime import audio as A
from tests.audio_reference import librosa_features

SR = 16000
ov = pytest.importorskip("openvino")
librosa = pytest.importorskip("librosa")


def _compile(model, **props):
    return ov.Core().compile_model(model, "CPU", props)


def _run(model, x: np.ndarray) -> np.ndarray:
    return _compile(model)(np.atleast_2d(x).astype(np.float32))[0]


def _whisper(x: np.ndarray) -> np.ndarray:
    from transformers import WhisperFeatureExtractor

    return WhisperFeatureExtractor(feature_size=80)(x, sampling_rate=SR, return_tensors="np")[
        "input_features"
    ][0]


def _assert_parity(ours: np.ndarray, ref: np.ndarray, kind: str) -> float:
    assert ours.shape == ref.shape
    err = float(np.abs(ours - ref).max())
    if kind in ("mfcc", "mel"):
        err /= float(np.abs(ref).max())
        assert err < 1e-3, f"{kind} relative error {err}"
    elif kind == "whisper_log_mel":
        assert err < 1e-3, f"whisper log-mel error {err}"
    else:
        assert err < 0.01, f"log-mel error {err} dB"
    return err


# each DFT formulation (fft: a split of n_fft with rows dividing the hop; radix: n_fft % 4 == 0;
# fold: n_fft % 4 == 2; full: asymmetric window),
# both pad modes, no centring, band limits, magnitude power, MFCC
CONFIGS = [
    {"features": "log_mel", "n_mels": 40},
    {"features": "mfcc", "n_mels": 40, "n_mfcc": 20},
    {"features": "log_mel", "n_mels": 80, "n_fft": 512, "win_length": 400, "fmin": 20.0, "fmax": 7600.0},
    {"features": "log_mel", "n_mels": 40, "n_fft": 402, "pad_mode": "reflect"},
    {"features": "log_mel", "n_mels": 40, "win_length": 399, "top_db": None, "pad_mode": "reflect"},
    {"features": "log_mel", "n_mels": 64, "n_fft": 1024, "hop_length": 256, "power": 1.0, "center": False},
    {"features": "mfcc", "n_mels": 128, "n_mfcc": 40, "n_fft": 2048, "hop_length": 512, "sample_rate": 22050},
    {"features": "mel", "n_mels": 40},
    {"features": "log_mel", "n_mels": 40, "_dft": "radix"},
    {"features": "log_mel", "n_mels": 40, "_dft": "fold"},
    {"features": "log_mel", "n_mels": 40, "_dft": "full"},
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_parity_with_librosa_on_synthetic_audio(chirp, cfg):
    x = chirp[: 2 * SR]
    ours = _run(build_audio_frontend(cfg, len(x)), x)[0]
    _assert_parity(ours, librosa_features(x, cfg), cfg["features"])
    _assert_parity(ours, A.audio_features(x, cfg, backend="numpy"), cfg["features"])


def test_parity_on_real_speech_batch(speech, chirp):
    """A batch of two different clips at the CPU's default (BF16) precision."""
    n = min(len(speech), 3 * SR)
    batch = np.stack([speech[:n], chirp[:n]])
    for cfg in CONFIGS[:2]:
        out = _run(build_audio_frontend(cfg, n), batch)
        for i in range(2):
            _assert_parity(out[i], librosa_features(batch[i], cfg), cfg["features"])


@pytest.mark.parametrize("seconds", [2.0, 31.0])
def test_whisper_parity(chirp, speech, seconds):
    x = np.resize(np.concatenate([speech, chirp]), int(seconds * SR)).astype(np.float32)
    fe = build_audio_frontend({"features": "whisper_log_mel", "n_mels": 80}, len(x))
    ours = _run(fe, x)[0]
    assert ours.shape == (80, 3000)
    _assert_parity(ours, _whisper(x), "whisper_log_mel")


def test_nodes_pinned_to_f32_at_default_bf16(chirp):
    core = ov.Core()
    fe = build_audio_frontend({"features": "mfcc", "n_mels": 40}, SR)
    compiled = core.compile_model(fe, "CPU")
    precisions = frontend_runtime_precisions(compiled)
    assert len(precisions) > 10
    low = {k: v for k, v in precisions.items() if v[1] in ("bf16", "f16")}
    assert not low, f"front-end nodes not in f32: {low}"
    assert any(t == "FullyConnected" and p == "f32" for t, p in precisions.values())
    # the unpinned graph really would run in bf16 here, so the check above means something
    unpinned = core.compile_model(build_audio_frontend({"features": "mfcc"}, SR, pin_f32=False), "CPU")
    hint = str(core.get_property("CPU", "INFERENCE_PRECISION_HINT"))
    if "bf16" in hint or "bfloat16" in hint:
        assert any(p == "bf16" for _, p in frontend_runtime_precisions(unpinned).values())


def test_pins_survive_save_and_reload(tmp_path, chirp):
    cfg = {"features": "log_mel", "n_mels": 40}
    fe = build_audio_frontend(cfg, SR)
    ov.save_model(fe, tmp_path / "fe.xml")  # compress_to_fp16 defaults to True
    xml = (tmp_path / "fe.xml").read_text()
    assert xml.count('name="DisablePrecisionConversion"') >= 10
    reloaded = ov.Core().read_model(tmp_path / "fe.xml")
    compiled = _compile(reloaded)
    assert all(p not in ("bf16", "f16") for _, p in frontend_runtime_precisions(compiled).values())
    _assert_parity(compiled(chirp[None, :SR])[0][0], librosa_features(chirp[:SR], cfg), "log_mel")


def _toy_model(t: int, n_mels: int, layout: str):
    """A stand-in model: mean over frames of its [N, C, T] / [N, T, C] / [N, 1, C, T] input,
    then a small linear layer; second input ``scale`` is kept."""
    import openvino.opset15 as ops

    shape = {"NCT": [-1, n_mels, t], "NTC": [-1, t, n_mels], "N1CT": [-1, 1, n_mels, t]}[layout]
    feats = ops.parameter(shape, np.float32, name="mel")
    feats.output(0).set_names({"mel"})
    scale = ops.parameter([1], np.float32, name="scale")
    axis = {"NCT": 2, "NTC": 1, "N1CT": 3}[layout]
    pooled = ops.reduce_mean(feats, ops.constant(np.array([axis], np.int32)), False)
    if layout == "N1CT":
        pooled = ops.squeeze(pooled, ops.constant(np.array([1], np.int32)))
    w = np.random.default_rng(0).standard_normal((n_mels, 8)).astype(np.float32)
    out = ops.multiply(ops.matmul(pooled, ops.constant(w), False, False), scale)
    return ov.Model([out], [feats, scale], "toy"), w


@pytest.mark.parametrize("layout", ["NCT", "NTC", "N1CT"])
def test_prepend_frontend(chirp, layout):
    cfg = {"features": "log_mel", "n_mels": 40}
    fe = build_audio_frontend(cfg, SR)
    t = fe.output(0).get_partial_shape()[2].get_length()
    model, w = _toy_model(t, 40, layout)
    merged = prepend_frontend(fe, model, "mel", layout)
    names = [sorted(i.get_names()) for i in merged.inputs]
    assert names == [["waveform"], []] or names[0] == ["waveform"]
    assert list(merged.input(0).get_partial_shape())[1].get_length() == SR
    x = np.stack([chirp[:SR], chirp[SR : 2 * SR]])
    got = _compile(merged, INFERENCE_PRECISION_HINT="f32")([x, np.array([2.0], np.float32)])[0]
    host = A.audio_features(x, cfg)  # [2, 40, T]
    want = host.mean(axis=2) @ w * 2.0
    assert np.allclose(got, want, rtol=1e-3, atol=1e-2)
    assert model.input(0).get_any_name() == "mel"  # the original model is untouched
    # at the default (BF16) precision the front-end stays f32 inside the merged model
    pins = frontend_runtime_precisions(_compile(merged))
    assert pins and all(p not in ("bf16", "f16") for _, p in pins.values())


def test_prepend_errors():
    fe = build_audio_frontend({"features": "log_mel", "n_mels": 40}, SR)
    model, _ = _toy_model(50, 40, "NCT")
    with pytest.raises(KeyError, match="no input 'spectrogram'"):
        prepend_frontend(fe, model, "spectrogram", "NCT")
    with pytest.raises(ValueError, match="shape"):
        prepend_frontend(fe, model, "mel", "NCT")  # 50 frames expected, 101 given
    with pytest.raises(ValueError, match="layout"):
        prepend_frontend(fe, model, "mel", "NC")


def test_raw_normalize_and_frames_first(chirp):
    x = chirp[:SR] * 3 + 0.2
    raw = _run(build_audio_frontend({"features": "raw", "normalize": True}, SR), x)[0]
    assert np.allclose(raw, A.audio_features(x, {"features": "raw", "normalize": True}), atol=1e-4)
    cfg = {"features": "log_mel", "n_mels": 40, "layout": "frames_mels"}
    fe = build_audio_frontend(cfg, SR)
    assert fe.get_rt_info("ovbuild_audio_layout").astype(str) == "NTC"
    out = _run(fe, chirp[:SR])[0]
    assert np.abs(out - A.audio_features(chirp[:SR], cfg)).max() < 0.01
    assert all(
        n.get_friendly_name().startswith(FRONTEND_PREFIX)
        for n in fe.get_ordered_ops()
        if n.get_type_name() not in ("Parameter", "Result")
    )


def test_weight_compression_must_ignore_the_frontend(chirp):
    """NNCF would compress the DFT/mel bases like any MatMul weights; the ignored-scope pattern
    the compress stage must pass keeps the front-end exact (and pinned)."""
    nncf = pytest.importorskip("nncf")
    from ovbuild.frontends.audio_graph import FRONTEND_IGNORED_PATTERN

    cfg = {"features": "log_mel", "n_mels": 40}
    x = chirp[:SR]
    ref = librosa_features(x, cfg)
    scope = nncf.IgnoredScope(patterns=[FRONTEND_IGNORED_PATTERN])
    kept = nncf.compress_weights(
        build_audio_frontend(cfg, SR), mode=nncf.CompressWeightsMode.INT8_ASYM, ignored_scope=scope
    )
    _assert_parity(_run(kept, x)[0], ref, "log_mel")
    broken = nncf.compress_weights(build_audio_frontend(cfg, SR), mode=nncf.CompressWeightsMode.INT8_ASYM)
    assert np.abs(_run(broken, x)[0] - ref).max() > 0.05
