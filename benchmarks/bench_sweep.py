"""A 5-variant sweep, wall time with the joblib launcher (2 workers) against the basic launcher.

Each launcher gets a fresh store, so both do all the work (conversion once, calibration once per
distinct calibration key, then one compress/validate/precompile per variant). Prints the wall
times, their ratio (target: joblib <= 0.7x basic), how often the shared stages were built
(read from the stage cache's ``builds.jsonl``) and checks that the reports' numbers equal the
manifests'.

    .venv/bin/python benchmarks/bench_sweep.py                       # MiniLM, 5 precisions
    .venv/bin/python benchmarks/bench_sweep.py --recipe silero_vad --precisions fp32,fp16 \
        --extra validate=cosine

``--baseline REV`` adds the basic launcher running the code of git revision ``REV`` ("baseline",
e.g. the commit before calibration statistics were shared), for the 5-variant MiniLM sweep:

    .venv/bin/python benchmarks/bench_sweep.py --precisions fp32,fp16,int8,int8_weights,auto \
        --extra --order baseline,basic --baseline cf1360c

Each run also prints how many passes over the calibration data NNCF made (the statistics
store's ``collections.jsonl``; the baseline, which has no store, shows ``-``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MINILM_EXTRA = ["calibration=sentences", "validate=nn_agreement", "validate.min=0"]
LAUNCHERS = {
    "basic": [],
    "joblib": ["hydra/launcher=joblib"],  # each worker pinned to a core of its own (the default)
    "joblib_unpinned": ["hydra/launcher=joblib", "hydra.callbacks.ovbuild_sweep.cpus_per_job=0"],
    "baseline": [],  # the basic launcher on the code of --baseline REV
}


def run_sweep(launcher: str, args: argparse.Namespace, root: Path, round_: int = 0) -> dict:
    """One ``ovbuild build -m`` into a fresh store under ``root``; its wall time and report."""
    from ovbuild.store import StageCache

    store = root / f"store-{launcher}-{round_}"
    cmd = [
        sys.executable,
        "-m",
        "ovbuild.cli.main",
        "build",
        "-m",
        f"recipe={args.recipe}",
        f"precision={args.precisions}",
        *args.extra,
        f"store.root={store}",
        f"hydra.callbacks.ovbuild_sweep.bench_seconds={args.bench_seconds}",
        *LAUNCHERS[launcher],
    ]
    env = dict(os.environ)
    code = args.baseline_code if launcher == "baseline" else args.snapshot
    if code:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    (root / f"{launcher}-{round_}.log").write_text(proc.stdout + proc.stderr)
    reports = sorted((store / "sweeps").glob("*/report.csv")) if (store / "sweeps").exists() else []
    rows = list(csv.DictReader(open(reports[-1]))) if reports else []
    mismatches = []
    manifests = []
    for row in rows:
        if row["status"] != "success":
            continue
        manifest = json.loads((Path(row["path"]) / "manifest.json").read_text())
        manifests.append(manifest)
        metrics = manifest["metrics"]
        accuracy = next(iter((metrics.get("accuracy") or {}).values()), None)
        if int(row["size_bytes"]) != metrics["size_bytes"] or (
            accuracy is not None and float(row["accuracy"]) != accuracy
        ):
            mismatches.append(row["variant"])
    builds = StageCache(store).builds()
    journal = store / "statistics" / "collections.jsonl"
    passes = len(journal.read_text().splitlines()) if journal.exists() else None
    shared = {}
    for stage in ("convert", "calibrate"):
        keys = {m["stage_keys"][stage] for m in manifests if stage in m.get("stage_keys", {})}
        if keys:
            n = sum(1 for b in builds if b["stage"] == stage and b["key"] in keys)
            uses = sum(1 for m in manifests if stage in m.get("stage_keys", {}))
            shared[stage] = {"variants": uses, "distinct_keys": len(keys), "builds": n}
    return {
        "launcher": launcher,
        "returncode": proc.returncode,
        "wall_s": round(wall, 2),
        "variants": {r["variant"]: r["status"] for r in rows},
        "report": str(reports[-1].parent) if reports else None,
        "report_matches_manifests": not mismatches,
        "shared": shared,
        "statistics_passes": passes,
        "rows": rows,
    }


def baseline_snapshot(root: Path, rev: str) -> Path:
    """The package, conf/, recipes/ and data/ of git revision ``rev``."""
    repo = Path(__file__).resolve().parents[1]
    target = root / f"baseline-{rev}"
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "ovbuild", "conf", "recipes", "data"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def snapshot(root: Path) -> Path:
    """A frozen copy of the package, conf/, recipes/ and data/ for the sweeps to import.

    Stage keys include a digest of ovbuild's own sources; in a checkout that others edit while
    the benchmark runs, a key would change between variants and a stage would be rebuilt.
    """
    repo = Path(__file__).resolve().parents[1]
    target = root / "snapshot"
    for name in ("ovbuild", "conf", "recipes", "data"):
        if (repo / name).exists():
            shutil.copytree(repo / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="minilm")
    parser.add_argument("--precisions", default="fp32,fp16,int8,int8_attn_fp16,int4_weights")
    parser.add_argument("--extra", nargs="*", default=None, help="more overrides for every variant")
    parser.add_argument("--bench-seconds", type=float, default=1.0)
    parser.add_argument(
        "--order", default="joblib,basic", help=f"launchers in the order they run, from {sorted(LAUNCHERS)}"
    )
    parser.add_argument(
        "--no-snapshot", dest="snapshot", action="store_false", help="import the live checkout instead"
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the launchers (medians)")
    parser.add_argument("--keep", action="store_true", help="keep the stores (printed)")
    parser.add_argument("--baseline", help="git revision whose code the 'baseline' launcher runs")
    args = parser.parse_args()
    if args.extra is None:
        args.extra = MINILM_EXTRA if args.recipe == "minilm" else []
    root = Path(tempfile.mkdtemp(prefix="ovbuild-bench-sweep-"))
    args.snapshot = snapshot(root) if args.snapshot else None
    args.baseline_code = baseline_snapshot(root, args.baseline) if args.baseline else None
    results: dict[str, dict] = {}
    walls: dict[str, list[float]] = {}
    try:
        # Rounds interleave the launchers so a burst of load from elsewhere hits all of them.
        for round_, launcher in ((r, name) for r in range(args.repeat) for name in args.order.split(",")):
            result = run_sweep(launcher, args, root, round_)
            results[launcher] = result
            walls.setdefault(launcher, []).append(result["wall_s"])
            shared = ", ".join(
                f"{s} built {v['builds']}x for {v['distinct_keys']} key(s) of {v['variants']} variants"
                for s, v in result["shared"].items()
            )
            print(
                f"{launcher:12s} wall {result['wall_s']:8.2f} s  rc {result['returncode']}  "
                f"variants {result['variants']}  {shared}  "
                f"calibration statistics passes {result['statistics_passes'] or '-'}  "
                f"load {os.getloadavg()[0]:.1f}  "
                f"report==manifests {result['report_matches_manifests']}",
                flush=True,
            )
        median = {name: statistics.median(w) for name, w in walls.items()}
        for name in walls:
            print(f"{name:14s} wall times {walls[name]} median {median[name]:.2f} s")
        if {"basic", "baseline"} <= median.keys():
            print(f"basic/baseline median wall ratio: {median['basic'] / median['baseline']:.3f}")
        for name in ("joblib", "joblib_unpinned"):
            if {"basic", name} <= median.keys():
                ratio = median[name] / median["basic"]
                print(f"{name}/basic median wall ratio: {ratio:.3f} (target <= 0.7)")
        for launcher, result in results.items():
            print(f"\n{launcher} report (last round): {result['report']}")
            for row in result["rows"]:
                print(
                    f"  {row['variant']:28s} {row['status']:7s} latency {row['latency_ms'] or '-':>8.8s} ms  "
                    f"{row['metric'] or 'accuracy'} {row['accuracy'] or '-':>8.8s}  "
                    f"size {int(row['size_bytes'] or 0) / 1e6:7.2f} MB  pareto {row['pareto']}"
                )
    finally:
        if args.keep:
            print(f"stores kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1  # the last round's


if __name__ == "__main__":
    sys.exit(main())
