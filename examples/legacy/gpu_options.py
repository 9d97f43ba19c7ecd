"""GPU-specific options: FP16 execution, kernel selection, precompiled static shapes.

``gpu_fp16_enable`` and ``gpu_optimize`` become the GPU plugin's real properties
(``INFERENCE_PRECISION_HINT``, ``EXECUTION_MODE_HINT``); ``precompile_shapes`` with
``input_shapes`` compiles for fixed shapes ahead of time. Without a GPU the model runs on CPU and
a warning says the GPU options had no effect. Only the import line and the model path differ
from the old documentation.

Run: python examples/legacy/gpu_options.py [MODEL.onnx] [--store DIR]
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
    config = {
        "device": "GPU",
        "model_path": model_path or default_model_path(),
        "precision": "FP16",
        "gpu_fp16_enable": True,
        "gpu_optimize": "modern",
        "performance_hint": "LATENCY",
        "precompile_shapes": True,
        "input_shapes": {"input": [8, 576], "h": [1, 1, 128], "c": [1, 1, 128]},
    }
    loaded = backend.load_model("vad_gpu", config)
    for warning in loaded.get("warnings", []):
        print("warning:", warning)
    rng = np.random.default_rng(2)
    state = np.zeros((1, 1, 128), np.float32)
    windows = (0.1 * rng.standard_normal((8, 576))).astype(np.float32)
    result = backend.run_inference("vad_gpu", {"input": windows, "h": state, "c": state})
    if result["status"] == "success":
        print(f"ran on {result['device']}: {result['latency_ms']:.2f} ms for 8 windows")
    else:
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("vad_gpu")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="an ONNX or IR model (default: silero-vad)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
