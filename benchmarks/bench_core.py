"""Issue 2's numbers: cold build vs unchanged rebuild wall time, and the loader's time to first
inference with the precompiled blob vs compiling. Medians of N runs, side by side in one process.

    .venv/bin/python benchmarks/bench_core.py --recipe silero_vad --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return time.perf_counter() - started


def _first_inference(artifact: Path, use_blob: bool) -> float:
    # Python and openvino import time is the same for both paths; it is reported separately.
    code = (
        "import sys, time; t0 = time.perf_counter()\n"
        f"sys.path.insert(0, {str(artifact)!r})\n"
        "import openvino\n"
        "from loader import load\n"
        "t = time.perf_counter()\n"
        # any explicit property makes the loader compile instead of importing the blob
        f"m = load(**({{}} if {use_blob} else {{'PERFORMANCE_HINT': 'LATENCY'}}))\n"
        "m(m.example_inputs())\n"
        "print(t - t0, time.perf_counter() - t)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    imports, first = done.stdout.strip().splitlines()[-1].split()
    return float(imports), float(first)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", default="silero_vad")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("overrides", nargs="*", help="extra recipe overrides, e.g. precision=int8")
    args = parser.parse_args()
    ovbuild = [sys.executable, "-m", "ovbuild.cli.main", "build", f"recipe={args.recipe}", *args.overrides]
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            cold.append(_wall([*ovbuild, f"store.root={tmp}"]))
            warm.append(_wall([*ovbuild, f"store.root={tmp}"]))
    with tempfile.TemporaryDirectory() as tmp:
        _wall([*ovbuild, f"store.root={tmp}"])
        artifact = Path(tmp) / "artifacts" / args.recipe / "latest"
        blob, compiled = [], []
        for _ in range(args.runs):
            blob.append(_first_inference(artifact, True))
            compiled.append(_first_inference(artifact, False))
    med = statistics.median
    print(f"recipe {args.recipe} {' '.join(args.overrides)}, medians of {args.runs}")
    print(f"  cold build (CLI wall)            {med(cold):7.2f} s")
    print(f"  unchanged rebuild (CLI wall)     {med(warm):7.2f} s   (target <= 1.5 s)")
    blob_first, compile_first = [b[1] for b in blob], [c[1] for c in compiled]
    print(f"  import openvino + loader         {med([b[0] for b in blob]) * 1000:7.1f} ms (same for both)")
    print(f"  load + first inference, blob     {med(blob_first) * 1000:7.1f} ms")
    print(f"  load + first inference, compile  {med(compile_first) * 1000:7.1f} ms")
    print(
        f"  ratio blob/compile               {med(blob_first) / med(compile_first):7.2f}    (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
