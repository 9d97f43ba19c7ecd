"""GPU-specific options: FP16 execution, kernel selection, precompiled static shapes.

``gpu_fp16_enable`` and ``gpu_optimize`` become the GPU plugin's real properties
(``INFERENCE_PRECISION_HINT``, ``EXECUTION_MODE_HINT``); ``precompile_shapes`` with
``input_shapes`` compiles for fixed shapes ahead of time. The model is a vision model (BlazeFace,
the face detector shipped in the ``mediapipe`` package) fed a photo of any size: the facade resizes
it to the model's input. Without a GPU the model runs on CPU and a warning says the GPU options
had no effect; an ``input_shapes`` entry naming an input the model lacks is reported and ignored.
Only the import line and the model and image paths differ from the old documentation.

Run: python examples/legacy/gpu_options.py [MODEL] [IMAGE] [--store DIR]
"""

from __future__ import annotations

import sys

import _latency  # noqa: E402  (a sibling module of these examples)

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package


def default_model_path() -> str:
    import importlib.util

    # found without importing mediapipe (its import wants OpenCV, which only the weights do not need)
    (root,) = importlib.util.find_spec("mediapipe").submodule_search_locations
    return f"{root}/modules/face_detection/face_detection_short_range.tflite"


def default_image_path() -> str:
    from importlib.resources import files

    return str(files("matplotlib") / "mpl-data" / "sample_data" / "grace_hopper.jpg")


def main(model_path: str | None = None, image_path: str | None = None, store_root: str = "outputs") -> dict:
    backend = OpenVINOBackend({"store_root": store_root})
    config = {
        "device": "GPU",
        "model_type": "vision",
        "model_path": model_path or default_model_path(),
        "precision": "FP16",
        "gpu_fp16_enable": True,
        "gpu_optimize": "modern",
        "precompile_shapes": True,
        "input_shapes": {"input_ids": [1, 3, 224, 224]},
    }
    loaded = backend.load_model("vision_model", config)
    for warning in loaded.get("warnings", []):
        print("warning:", warning)
    result = backend.run_inference("vision_model", image_path or default_image_path())
    print("Latency:", _latency.report(backend, "vision_model", image_path or default_image_path(), result))
    if result["status"] != "success":
        print("error:", result["error"])
    return {"load": loaded, "inference": result, "info": backend.get_model_info("vision_model")}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a vision model file (default: BlazeFace)")
    parser.add_argument("image", nargs="?", help="an image file (default: a photo shipped with matplotlib)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.model, cli.image, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
