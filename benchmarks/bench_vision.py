"""MediaPipe BlazeFace (TFLite): FP32 at f32 vs INT8 vs the `auto` budgeted map, side by side.

.venv/bin/python benchmarks/bench_vision.py --store /tmp/vision
"""

from __future__ import annotations

import argparse
import statistics

from ovbuild import build, load_recipe
from ovbuild.runtime import import_loader


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="/tmp/ovbuild-bench-vision")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    store = f"store.root={args.store}"
    variants = {
        "fp32 (f32)": ["recipe=mediapipe_face_detection", "device.inference_precision=f32"],
        "int8": ["recipe=mediapipe_face_detection_int8", "validate.min=0"],
        "auto": ["recipe=mediapipe_face_detection_auto"],
    }
    models, accuracy = {}, {}
    for label, overrides in variants.items():
        result = build(load_recipe([*overrides, store]))
        models[label] = import_loader(result.path).load()
        accuracy[label] = result.manifest["metrics"].get("accuracy", {}).get("cosine")
    latency: dict[str, list[float]] = {label: [] for label in models}
    for _ in range(args.rounds):  # interleaved, so load changes hit every variant alike
        for label, model in models.items():
            latency[label].append(model.bench(0.5)["median_ms"])
    base = statistics.median(latency["fp32 (f32)"])
    print(f"{'variant':12s} {'cosine vs fp32':>15s} {'median ms':>10s} {'speed-up':>9s}")
    for label in models:
        ms = statistics.median(latency[label])
        cos = "-" if accuracy[label] is None else f"{accuracy[label]:.5f}"
        print(f"{label:12s} {cos:>15s} {ms:10.3f} {base / ms:8.2f}x")


if __name__ == "__main__":
    main()
