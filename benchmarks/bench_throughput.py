"""Issue 6's acceptance: the loader's THROUGHPUT `infer_batch` against `benchmark_app -hint
throughput`, and `bench_compiled` latency against `benchmark_app -hint latency`, on the same INT8
MiniLM IR (host-side tokenization, static [1, 128], so benchmark_app can feed it). Runs alternate,
medians reported.

    .venv/bin/python benchmarks/bench_throughput.py --store /tmp/tp --repeats 3 --seconds 10
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ovbuild import build, load_recipe
from ovbuild.bench import bench_compiled, compare_with_benchmark_app
from ovbuild.runtime import import_loader

SHAPES = {"input_ids": [1, 128], "attention_mask": [1, 128], "token_type_ids": [1, 128]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="/tmp/ovbuild-bench-throughput")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    overrides = ["recipe=minilm", "precision=int8", "frontend.embed=false", f"store.root={args.store}"]
    overrides += [f"inputs.{k}=[{v[0]},{v[1]}]" for k, v in SHAPES.items()]
    latency_art = build(load_recipe(overrides)).path
    tput_art = build(load_recipe([*overrides, "device.performance_hint=THROUGHPUT"])).path
    sentences = [s for s in Path("data/sentences.txt").read_text().splitlines() if s.strip()][:400]

    tput_model = import_loader(tput_art).load()
    items = [tput_model.prepare([s]) for s in sentences]
    lat_model = import_loader(latency_art).load()
    ours_tput, app_tput, ours_lat, app_lat = [], [], [], []
    for _ in range(args.repeats):
        tput_model.infer_batch(items[:32])  # warm-up
        started, done = time.perf_counter(), 0
        while time.perf_counter() - started < args.seconds:
            tput_model.infer_batch(items)
            done += len(items)
        ours_tput.append(done / (time.perf_counter() - started))
        app = compare_with_benchmark_app(tput_art / "model.xml", "throughput", seconds=args.seconds)
        app_tput.append(app["throughput"])
        ours = bench_compiled(lat_model.compiled, items[0], seconds=args.seconds, warmup=10, mode="latency")
        ours_lat.append(ours["median_ms"])
        app = compare_with_benchmark_app(latency_art / "model.xml", "latency", seconds=args.seconds)
        app_lat.append(app["median_ms"])
    med = statistics.median
    print(f"INT8 MiniLM, static [1,128], {args.repeats} alternating runs of {args.seconds} s, medians")
    print(
        f"  throughput  infer_batch {med(ours_tput):8.1f}/s   benchmark_app {med(app_tput):8.1f}/s"
        f"   ratio {med(ours_tput) / med(app_tput):.3f} (target >= 0.9)"
    )
    print(
        f"  latency     bench        {med(ours_lat):8.2f} ms  benchmark_app {med(app_lat):8.2f} ms"
        f"  ratio {med(ours_lat) / med(app_lat):.3f} (target within 10%)"
    )
    print(f"  raw: ours_tput={ours_tput} app_tput={app_tput} ours_lat={ours_lat} app_lat={app_lat}")


if __name__ == "__main__":
    main()
