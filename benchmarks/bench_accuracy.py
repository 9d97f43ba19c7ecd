"""Issue 14's closing figures: per vision model, the held-out metric of FP32, INT8 and `auto`,
latency against the FP32 artifact at the device's default precision (bf16 here) and at f32
(interleaved rounds, medians), `auto`'s build time and the layers it kept in float.

.venv/bin/python benchmarks/bench_accuracy.py --store /tmp/bench-accuracy [--models nudenet ppocr]
"""

from __future__ import annotations

import argparse
import json
import time

from ovbuild import build, load_recipe
from ovbuild.precision.search import interleaved_medians
from ovbuild.runtime import import_loader

MODELS = {
    "nudenet": ("nudenet_detector_int8", "nudenet_detector_auto", "detection"),
    "ppocr": ("ppocr_text_detector_int8", "ppocr_text_detector_auto", "mask_iou"),
    "blazeface": ("mediapipe_face_detection_int8", "mediapipe_face_detection_auto", "cosine"),
}


def _gated(manifest: dict, metric: str) -> dict:
    accuracy = manifest["metrics"].get("accuracy") or {}
    return {k: round(v, 5) for k, v in accuracy.items() if k.split("[")[0] == metric}


def bench_model(key: str, store: str, rounds: int) -> dict:
    int8_recipe, auto_recipe, metric = MODELS[key]
    fp32 = build(load_recipe([f"recipe={int8_recipe}", "precision=fp32", f"name={key}_fp32", store]))
    int8 = build(load_recipe([f"recipe={int8_recipe}", "validate.min=null", store]))
    start = time.perf_counter()
    auto = build(load_recipe([f"recipe={auto_recipe}", store]))
    auto_seconds = time.perf_counter() - start
    fp32_f32 = build(load_recipe([f"recipe={int8_recipe}", "precision=fp32", f"name={key}_fp32",
                                  "device.inference_precision=f32", store]))  # fmt: skip
    loaded = {
        "fp32 (default precision)": import_loader(fp32.path).load(),
        "fp32 (f32)": import_loader(fp32_f32.path).load(),
        "int8": import_loader(int8.path).load(),
        "auto": import_loader(auto.path).load(),
    }
    from ovbuild.factories.photo_crops import scene_images

    sample = next(scene_images(count=1, seed=7))[0]
    runners = {label: (lambda m=m: m(sample)) for label, m in loaded.items()}
    latency = interleaved_medians(runners, rounds=rounds, iterations=10)
    compress = auto.manifest["stages"]["compress"]
    base = latency["fp32 (default precision)"]
    return {
        "model": key,
        "heldout": {
            "fp32": _gated(fp32.manifest, metric),
            "int8": _gated(int8.manifest, metric),
            "auto": _gated(auto.manifest, metric),
        },  # fmt: skip
        "latency_ms": {k: round(v, 3) for k, v in latency.items()},
        "speedup_vs_fp32_default": {k: round(base / v, 3) for k, v in latency.items()},
        "auto_build_s": round(auto_seconds, 1),
        "auto_chosen": compress.get("search", {}).get("chosen"),
        "auto_map": compress["map"],
        "auto_search_latency_ms": compress.get("search", {}).get("latency_ms"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="/tmp/ovbuild-bench-accuracy")
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for key in args.models:
        print(json.dumps(bench_model(key, f"store.root={args.store}", args.rounds), indent=1))


if __name__ == "__main__":
    main()
