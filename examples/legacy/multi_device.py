"""Multi-device inference with weighted priorities.

The old backend's ``multi_device`` mode with ``device_priorities`` such as ``"GPU(1.5)"``. On a
machine without a GPU the GPU is dropped with a warning and the model runs on what is left;
OpenVINO's deprecated MULTI plugin is replaced by AUTO with CUMULATIVE_THROUGHPUT. Only the
import line and the model path differ from the old documentation.

Run: python examples/legacy/multi_device.py [MODEL.onnx] [--store DIR]
"""

from __future__ import annotations

import sys

import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package


def default_model_path() -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / "silero_vad_16k_sequence.onnx")


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    backend = OpenVINOBackend({"store_root": store_root})
    print("available devices:", backend._available_devices)
    config = {
        "model_path": model_path or default_model_path(),
        "multi_device": True,
        "device_priorities": ["GPU(1.5)", "CPU(1.0)"],
        "performance_hint": "THROUGHPUT",
    }
    loaded = backend.load_model("vad_multi", config)
    for warning in loaded.get("warnings", []):
        print("warning:", warning)
    rng = np.random.default_rng(1)
    state = np.zeros((1, 1, 128), np.float32)
    batch = [
        {"input": (0.1 * rng.standard_normal((1, 576))).astype(np.float32), "h": state, "c": state}
        for _ in range(16)
    ]
    result = backend.run_inference("vad_multi", batch)
    if result["status"] == "success":
        print(
            f"{result['items']} requests on {result['device']}: {result['latency_ms']:.2f} ms total, "
            f"{result['throughput_items_per_sec']:.0f} req/s"
        )
    else:
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("vad_multi")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="an ONNX or IR model (default: silero-vad)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
