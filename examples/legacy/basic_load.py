"""Backward-compatible loading: the plain legacy ``load_model`` / ``run_inference`` calls.

The old backend's first documented example, unchanged except for the import line and the model
path (here silero-vad's sequence model, shipped in the ``silero-vad`` pip package).

Run: python examples/legacy/basic_load.py [MODEL.onnx] [--store DIR]
"""

from __future__ import annotations

import sys

import _latency  # noqa: E402  (a sibling module of these examples)
import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package


def default_model_path() -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / "silero_vad_16k_sequence.onnx")


def vad_windows(seconds: float = 1.0, sample_rate: int = 16000) -> np.ndarray:
    """A tone in noise, cut into silero's 576-sample windows (64 context + 512 new samples)."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    starts = range(0, wave.size - 576, 512)
    return np.stack([wave[s : s + 576] for s in starts])


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    backend = OpenVINOBackend({"store_root": store_root})
    loaded = backend.load_model("vad", {"device": "CPU", "model_path": model_path or default_model_path()})
    print("load_model:", loaded["status"], loaded.get("error", loaded.get("artifact")))
    windows = vad_windows()
    state = np.zeros((1, 1, 128), np.float32)
    result = backend.run_inference("vad", {"input": windows, "h": state, "c": state})
    if result["status"] == "success":
        probs = result["results"]["speech_probs"]
        print(f"speech probabilities {probs.shape}: {np.round(probs[:4], 3)} ...")
        print("latency:", _latency.report(backend, "vad", {"input": windows, "h": state, "c": state}, result))
    else:
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("vad")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="an ONNX or IR model (default: silero-vad)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
