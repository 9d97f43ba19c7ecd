"""Assertions shared by the sweep tests: the report agrees with the manifests and the cache log."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ovbuild.store import StageCache


def only_report_dir(store: Path) -> Path:
    dirs = [d for d in (store / "sweeps").iterdir() if d.is_dir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def read_rows(report_dir: Path) -> dict[str, dict[str, str]]:
    with open(report_dir / "report.csv", newline="") as fh:
        return {row["variant"]: row for row in csv.DictReader(fh)}


def check_rows_match_manifests(rows: dict[str, dict[str, str]]) -> list[dict]:
    """Every successful row's numbers equal its artifact's manifest; returns the manifests."""
    manifests = []
    for row in rows.values():
        if row["status"] != "success":
            continue
        manifest = json.loads((Path(row["path"]) / "manifest.json").read_text())
        metrics = manifest["metrics"]
        assert int(row["size_bytes"]) == metrics["size_bytes"]
        metric, value = next(iter(metrics["accuracy"].items()))
        assert row["metric"] == metric and float(row["accuracy"]) == value
        compile_s = sum(b["compile_seconds"] for b in manifest["blobs"].values())
        assert abs(float(row["compile_seconds"]) - compile_s) < 1e-9
        assert float(row["latency_ms"]) > 0
        manifests.append(manifest)
    assert any(row["pareto"] == "True" for row in rows.values())
    return manifests


def check_shared_stage_built_once(store: Path, manifests: list[dict], stage: str = "convert") -> None:
    """All variants share one ``stage`` key, and the cache log shows exactly one build of it."""
    keys = {m["stage_keys"][stage] for m in manifests}
    assert len(keys) == 1, keys
    builds = [b for b in StageCache(store).builds() if b["stage"] == stage and b["key"] in keys]
    assert len(builds) == 1, builds


def check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
