"""The checks: each ``check_x(env: CheckEnv) -> CheckResult`` builds a small real artifact through
the legacy facade, runs it, verifies the outputs are real and measures latency.

Adding a check is one function plus one entry in :data:`CHECKS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ovbuild.check.env import CheckEnv, CheckFailed, CheckResult, finite, median_latency, ok
from ovbuild.check.fixtures import PAIRS, SENTENCES, audio_input, minilm, model_config, silero, vad_windows


def _vad_state() -> np.ndarray:
    return np.zeros((1, 1, 128), np.float32)


def check_basic(env: CheckEnv) -> CheckResult:
    """Plain FP32 load + inference of silero-vad."""
    backend = env.backend
    ok(backend.load_model("check_basic", {"device": "CPU", "model_path": silero()}), "load_model")
    data = {"input": np.zeros((4, 576), np.float32), "h": _vad_state(), "c": _vad_state()}
    result = ok(backend.run_inference("check_basic", data), "run_inference")
    finite(result["results"])
    if result["results"]["speech_probs"].shape != (4,):
        raise CheckFailed(f"speech_probs shape {result['results']['speech_probs'].shape}, expected (4,)")
    latency = median_latency(backend, "check_basic", data)
    return CheckResult("basic load (silero-vad FP32)", True, latency, result["device"])


def check_audio(env: CheckEnv) -> CheckResult:
    """Decode an audio file, resample to 16 kHz and run voice activity detection on it."""
    from ovbuild.runtime.audio import audio_decode, audio_resample, audio_to_mono

    backend = env.backend
    path, what = audio_input(env.audio_file, env.workdir)
    started = time.perf_counter()
    samples, rate = audio_decode(str(path))
    wave = audio_resample(audio_to_mono(samples), rate, 16000)
    decode_ms = (time.perf_counter() - started) * 1000
    ok(backend.load_model("check_audio", {"device": "CPU", "model_path": silero()}), "load_model")
    data = {"input": vad_windows(wave), "h": _vad_state(), "c": _vad_state()}
    result = ok(backend.run_inference("check_audio", data), "run_inference")
    finite(result["results"])
    probs = result["results"]["speech_probs"]
    if probs.shape != (data["input"].shape[0],) or probs.min() < 0 or probs.max() > 1:
        raise CheckFailed(f"speech probabilities out of range or mis-shaped: {probs.shape}")
    detail = (
        f"{what}: {wave.size / 16000:.2f} s at {rate} Hz -> 16 kHz (decode {decode_ms:.1f} ms), "
        f"{probs.size} windows, speech in {np.mean(probs > 0.5):.0%}"
    )
    latency = median_latency(backend, "check_audio", data)
    return CheckResult("audio file -> VAD", True, latency, result["device"], detail)


def _speaker_ir(env: CheckEnv) -> str:
    """resemblyzer's encoder as an IR taking mel bands first ([1, 40, 160])."""
    ir = env.workdir / "speaker_encoder.xml"
    if ir.is_file():
        return str(ir)
    import openvino as ov
    import torch

    from ovbuild.factories.resemblyzer import speaker_encoder

    class BandsFirst(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, mel: torch.Tensor) -> torch.Tensor:
            return self.encoder(mel.transpose(1, 2))

    model = ov.convert_model(BandsFirst(speaker_encoder()).eval(), example_input=torch.zeros(1, 40, 160))
    model.reshape([1, 40, 160])
    ov.save_model(model, str(ir))
    return str(ir)


def check_audio_frontend(env: CheckEnv) -> CheckResult:
    """A speaker encoder (resemblyzer) with its mel front-end compiled into the graph, fed a file."""
    backend = env.backend
    path, what = audio_input(env.audio_file, env.workdir)
    audio = {"sample_rate": 16000, "feature_type": "mel", "feature_size": 40, "n_fft": 400, "hop_length": 160}
    config = {"device": "CPU", "model_type": "audio", "model_path": _speaker_ir(env), **audio}
    ok(backend.load_model("check_speaker", config), "load_model")
    result = ok(backend.run_inference("check_speaker", str(path), audio), "run_inference")
    finite(result["results"])
    (emb,) = result["results"].values()
    if emb.shape != (1, 256) or abs(float(np.linalg.norm(emb)) - 1) > 1e-3:
        raise CheckFailed(
            f"speaker embedding shape {emb.shape} / norm {np.linalg.norm(emb):.4f}, expected (1, 256) / 1"
        )
    latency = median_latency(backend, "check_speaker", str(path), audio)
    detail = f"{what}: file -> decode, resample, in-graph mel (f32) -> 256-d speaker embedding"
    return CheckResult("audio front-end in the graph (speaker)", True, latency, result["device"], detail)


def _min_cosine(result: dict[str, Any], ref: dict[str, Any], rows: int) -> float:
    # Every output, one row per item: a one-element output alone would make cosine trivially 1.
    a = np.concatenate([np.asarray(v, np.float64).reshape(rows, -1) for v in result.values()], 1)
    b = np.concatenate([np.asarray(ref[k], np.float64).reshape(rows, -1) for k in result], 1)
    return float(np.min(np.sum(a * b, 1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)))


def check_mixed_precision(env: CheckEnv) -> CheckResult:
    """INT8 with attention in FP16 on a text model, compared with its FP32 build."""
    backend = env.backend
    base = {**model_config(env.model, minilm), "device": "CPU", "model_type": "text"}
    text = bool(base.get("use_optimum"))
    if not text:
        base.pop("model_type")  # a model file: tensors in, synthetic calibration (a smoke test)
    mixed = {
        **base,
        "precision": "INT8",
        "mixed_precision": True,
        "mixed_precision_config": {"precision_config": {"attention": "FP16", "default": "INT8"}},
    }
    if text:
        mixed["calibration_data"] = SENTENCES
    ok(backend.load_model("check_fp32", base), "load_model FP32")
    ok(backend.load_model("check_mixed", mixed), "load_model mixed")
    data: Any = list(PAIRS) if text else backend.models["check_mixed"].runtime.example_inputs()
    ref = ok(backend.run_inference("check_fp32", data), "run_inference FP32")["results"]
    result = ok(backend.run_inference("check_mixed", data), "run_inference mixed")
    finite(result["results"])
    cosine = _min_cosine(result["results"], ref, len(data) if isinstance(data, list) else 1)
    if cosine < 0.9:
        raise CheckFailed(f"mixed-precision output drifted from FP32: cosine {cosine:.4f} < 0.9")
    fp32_ms = median_latency(backend, "check_fp32", data)
    mixed_ms = median_latency(backend, "check_mixed", data)
    detail = (
        f"cosine to FP32 {cosine:.4f}; FP32 {fp32_ms:.2f} ms -> mixed {mixed_ms:.2f} ms "
        f"({fp32_ms / mixed_ms:.2f}x)"
    )
    return CheckResult("mixed precision (INT8 + FP16 attention)", True, mixed_ms, result["device"], detail)


def check_multi_device(env: CheckEnv) -> CheckResult:
    """Weighted device priorities in the legacy multi-device mode; a batch of async requests."""
    backend = env.backend
    config = {
        **model_config(env.model, silero),
        "multi_device": True,
        "device_priorities": ["GPU(1.5)", "CPU(1.0)"],
        "performance_hint": "THROUGHPUT",
    }
    loaded = ok(backend.load_model("check_multi", config), "load_model")
    if env.model is None:
        rng = np.random.default_rng(0)
        windows = (0.1 * rng.standard_normal((16, 1, 576))).astype(np.float32)
        batch: list[Any] = [{"input": w, "h": _vad_state(), "c": _vad_state()} for w in windows]
    else:
        runtime = backend.models["check_multi"].runtime
        batch = [runtime.example_inputs(seed) for seed in range(16)]
    result = ok(backend.run_inference("check_multi", batch), "run_inference")
    finite(result["results"])
    if len(result["results"]) != len(batch):
        raise CheckFailed(f"{len(result['results'])} results for {len(batch)} requests")
    latency = median_latency(backend, "check_multi", batch)
    dropped = [w for w in loaded.get("warnings", []) if "dropped" in w]
    detail = f"16 requests, {16000 / latency:.0f} req/s" + (
        "; " + dropped[0].split(";")[0] if dropped else ""
    )
    return CheckResult("multi-device priorities (batch of 16)", True, latency, result["device"], detail)


CHECKS: dict[str, Callable[[CheckEnv], CheckResult]] = {
    "basic": check_basic,
    "audio": check_audio,
    "audio_frontend": check_audio_frontend,
    "mixed_precision": check_mixed_precision,
    "multi_device": check_multi_device,
}
