"""A legacy converter: the application converts the model itself and hands back an OpenVINO model.

The old backend accepted ``model_format: "legacy"`` with a ``legacy_converter`` callable that got
the model path. Here it is needed for real: silero-vad's opset-15 ONNX graph only converts once
its input shapes are given. The converter's code and the model path enter the cache key, so an
unchanged converter is converted once. Only the import line and the model path differ from the
old documentation.

Run: python examples/legacy/legacy_converter.py [MODEL.onnx] [--store DIR]
"""

from __future__ import annotations

import sys

import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package


def default_model_path() -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / "silero_vad_16k_op15.onnx")


def convert_silero(path: str):
    """The application's converter: static shapes make the opset-15 graph convertible."""
    import openvino as ov

    shapes = {"input": [1, 512], "state": [2, 1, 128], "sr": []}
    return ov.convert_model(path, input=shapes)


def main(model_path: str | None = None, store_root: str = "outputs") -> dict:
    backend = OpenVINOBackend({"store_root": store_root})
    config = {
        "device": "CPU",
        "model_path": model_path or default_model_path(),
        "model_format": "legacy",
        "legacy_converter": convert_silero,
    }
    loaded = backend.load_model("vad_converted", config)
    print("load_model:", loaded["status"], loaded.get("error", loaded.get("artifact")))
    t = np.arange(512) / 16000
    window = (0.3 * np.sin(2 * np.pi * 300 * t))[None, :].astype(np.float32)
    inputs = {"input": window, "state": np.zeros((2, 1, 128), np.float32), "sr": np.array(16000, np.int64)}
    result = backend.run_inference("vad_converted", inputs)
    if result["status"] == "success":
        outputs = {k: v.shape for k, v in result["results"].items()}
        print(f"outputs {outputs} in {result['latency_ms']:.2f} ms")
    else:
        print("error:", result["error"])
    return {"load": loaded, "inference": result}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", help="silero-vad's opset-15 ONNX model (default: from the package)"
    )
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
