"""Issue 12: one loaded model shared by N threads against N separately loaded models (one per thread).

Real inputs: MiniLM takes the shipped sentences (strings in, tokenizer in the graph); silero VAD
takes 512-sample windows of a voiced signal with its recurrent state. For N in 1, 2, 4, 8 threads
the two set-ups alternate round by round (interleaved), each for ``--seconds``; the report gives
median items/s, the shared/separate ratio, and the RSS each set-up adds once loaded.

    .venv/bin/python benchmarks/bench_loader_sharing.py --store /tmp/ovbuild-bench-sharing --rounds 3 \
        [--hint THROUGHPUT]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
from pathlib import Path

import numpy as np

from ovbuild import build, load_recipe
from ovbuild.runtime import import_loader

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _cases(which: str) -> list:
    if which == "minilm":
        lines = (REPO / "data" / "sentences.txt").read_text().splitlines()
        return [[s] for s in lines if s.strip()][:64]
    t = np.arange(512 * 64) / 16000
    wave = (
        0.3 * np.sin(2 * np.pi * 140 * t) + 0.02 * np.random.default_rng(0).standard_normal(t.shape)
    ).astype(np.float32)
    state = np.zeros((2, 1, 128), np.float32)
    return [
        {"input": wave[i * 512 : (i + 1) * 512][None], "state": state, "sr": np.array(16000)}
        for i in range(64)
    ]


def _throughput(models: list, cases: list, threads: int, seconds: float) -> float:
    """Items per second with ``threads`` threads; thread k calls ``models[k % len(models)]``."""
    done = [0] * threads
    start = threading.Barrier(threads + 1)
    stop = threading.Event()

    def worker(k: int) -> None:
        model, n = models[k % len(models)], 0
        start.wait()
        while not stop.is_set():
            model(cases[(k + n) % len(cases)])
            n += 1
        done[k] = n

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    return sum(done) / (time.perf_counter() - began)


def _loaded_rss(path: Path, count: int, case: object) -> tuple[list, float]:
    gc.collect()
    before = _rss_mb()
    models = [import_loader(path).load() for _ in range(count)]
    for model in models:  # first inference allocates the request's memory
        model(case)
    return models, _rss_mb() - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default="/tmp/ovbuild-bench-sharing")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", default="1,2,4,8")
    parser.add_argument("--hint", default=None, help="device.performance_hint for both artifacts")
    args = parser.parse_args()
    extra = [f"store.root={args.store}"] + ([f"device.performance_hint={args.hint}"] if args.hint else [])
    artifacts = {
        "minilm": build(load_recipe(["recipe=minilm", *extra])).path,
        "vad": build(load_recipe(["recipe=silero_vad", *extra])).path,
    }
    print(f"hint: {args.hint or 'recipe default'}; load average at start: {os.getloadavg()}")
    header = ["model", "threads", "shared items/s", "separate items/s", "shared/separate", "RSS 1", "RSS N"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|---|")
    for which, path in artifacts.items():
        cases = _cases(which)
        for threads in [int(t) for t in args.threads.split(",")]:
            shared, shared_mb = _loaded_rss(path, 1, cases[0])
            separate, separate_mb = _loaded_rss(path, threads, cases[0])
            rates: dict[str, list[float]] = {"shared": [], "separate": []}
            for _ in range(args.rounds):  # interleaved: the two set-ups see the same machine load
                rates["shared"].append(_throughput(shared, cases, threads, args.seconds))
                rates["separate"].append(_throughput(separate, cases, threads, args.seconds))
            s, p = statistics.median(rates["shared"]), statistics.median(rates["separate"])
            row = f"| {which} | {threads} | {s:.1f} | {p:.1f} | {s / p:.3f} |"
            print(f"{row} {shared_mb:.0f} MB | {separate_mb:.0f} MB |")
            for model in shared + separate:
                model.close()
            del shared, separate
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
