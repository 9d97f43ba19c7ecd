"""OpenVINO's own ``benchmark_app``, run and parsed, to cross-check :func:`bench_compiled`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

_BA_VALUE = re.compile(r"^\s*\[\s*INFO\s*\]\s*(Median|Average|Min|Max):\s*([\d.]+)\s*(ms|us|s)\b", re.M)
_BA_TP = re.compile(r"Throughput:\s*([\d.]+)\s*FPS")
_BA_COUNT = re.compile(r"Count:\s*(\d+)\s*iterations")
_UNIT = {"ms": 1.0, "us": 1e-3, "s": 1e3}


def parse_benchmark_app(text: str) -> dict[str, Any]:
    """Median/average/min/max latency (ms), throughput (FPS) and count from ``benchmark_app`` output."""
    out: dict[str, Any] = {}
    for key, value, unit in _BA_VALUE.findall(text):
        out[f"{key.lower()}_ms"] = float(value) * _UNIT[unit]
    if m := _BA_TP.search(text):
        out["throughput"] = float(m.group(1))
    if m := _BA_COUNT.search(text):
        out["count"] = int(m.group(1))
    if "median_ms" not in out or "throughput" not in out:
        tail = "\n".join(text.strip().splitlines()[-5:])
        raise RuntimeError(f"could not parse benchmark_app output:\n{tail}")
    return out


def compare_with_benchmark_app(
    xml: str | Path,
    hint: str = "latency",
    *,
    seconds: int = 10,
    device: str = "CPU",
    shape: dict[str, list[int]] | None = None,
    infer_precision: str | None = None,
) -> dict[str, Any]:
    """Run OpenVINO's ``benchmark_app`` on ``xml`` and parse its median latency and throughput.

    Args:
        hint: ``latency`` / ``throughput`` (benchmark_app's ``-hint``).
        shape: static shapes by input name (``-shape``), needed for dynamic IRs.
        infer_precision: e.g. ``f32`` (``-infer_precision``).
    """
    exe = Path(sys.executable).with_name("benchmark_app")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "openvino.tools.benchmark.main"]
    cmd += ["-m", str(xml), "-d", device, "-hint", hint.lower(), "-t", str(int(seconds))]
    if shape:
        cmd += ["-shape", ",".join(f"{k}[{','.join(str(d) for d in v)}]" for k, v in shape.items())]
    if infer_precision:
        cmd += ["-infer_precision", infer_precision]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds * 4 + 120)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark_app failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    out = parse_benchmark_app(proc.stdout)
    out.update(hint=hint.lower(), command=" ".join(cmd))
    return out
