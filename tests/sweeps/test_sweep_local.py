"""Real multiruns on silero-vad through the CLI: the basic and the joblib launcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.sweeps._sweep_checks import (
    check_png,
    check_rows_match_manifests,
    check_shared_stage_built_once,
    only_report_dir,
    read_rows,
)

FAST_BENCH = "hydra.callbacks.ovbuild_sweep.bench_seconds=0.3"


@pytest.mark.slow
def test_basic_launcher_sweep_builds_every_variant_and_reports(store: Path):
    proc = run_cli(
        "build",
        "-m",
        "recipe=silero_vad",
        "precision=fp32,fp16",
        "validate=cosine",
        f"store.root={store}",
        FAST_BENCH,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report_dir = only_report_dir(store)
    rows = read_rows(report_dir)
    assert set(rows) == {"precision=fp32", "precision=fp16"}
    assert all(r["status"] == "success" for r in rows.values())
    manifests = check_rows_match_manifests(rows)
    assert {m["recipe"]["precision"]["default"] for m in manifests} == {"fp32", "fp16"}
    check_shared_stage_built_once(store, manifests)
    check_png(report_dir / "pareto.png")
    # Hydra's own logs stay out of the artifacts
    assert (store / "runs" / "multirun").is_dir()
    assert not any(p.name == ".hydra" for p in (store / "artifacts").rglob(".hydra"))


@pytest.mark.slow
def test_joblib_sweep_fails_only_the_unknown_precision(store: Path):
    proc = run_cli(
        "build",
        "-m",
        "recipe=silero_vad",
        "precision=fp32,nope,fp16",
        "validate=cosine",
        f"store.root={store}",
        "hydra/launcher=joblib",
        FAST_BENCH,
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "1 of 3 variants failed" in proc.stderr and "precision=nope" in proc.stderr
    report_dir = only_report_dir(store)
    rows = read_rows(report_dir)
    assert set(rows) == {"precision=fp32", "precision=fp16", "precision=nope"}
    assert rows["precision=nope"]["status"] == "error"
    assert "precision=nope" in rows["precision=nope"]["error"]
    manifests = check_rows_match_manifests(rows)
    assert len(manifests) == 2
    # the two variants ran at once in two workers and still converted the model once
    check_shared_stage_built_once(store, manifests)
    markdown = (report_dir / "report.md").read_text()
    assert "## Failed variants" in markdown and "precision=nope" in markdown
    check_png(report_dir / "pareto.png")

    # `ovbuild report` rewrites the same report from the recorded variants
    (report_dir / "report.csv").unlink()
    again = run_cli("report", str(report_dir))
    assert again.returncode == 1, again.stderr  # non-zero: the sweep has a failed variant
    assert read_rows(report_dir) == rows


@pytest.mark.slow
def test_a_variant_failing_inside_its_build_is_reported_and_publishes_nothing(
    shared_store: Path, tmp_path: Path
):
    report_root = tmp_path / "hydra"
    proc = run_cli(
        "build",
        "-m",
        "recipe=silero_vad",
        "precision=fp16",
        "validate=cosine",
        # 1.0 is in range for the preflight, and an fp16 build always misses it
        "validate.min=0.5,1.0",
        f"store.root={shared_store}",
        f"hydra.sweep.dir={report_root}/runs/sweep-a",
        FAST_BENCH,
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    report_dir = shared_store / "sweeps" / "sweep-a"
    rows = read_rows(report_dir)
    assert rows["validate.min=0.5"]["status"] == "success"
    missed = rows["validate.min=1.0"]
    # built but below its gate: nothing published, yet shown with its accuracy and latency
    assert missed["status"] == "missed_gate" and "validate.min" in missed["error"]
    assert float(missed["accuracy"]) < 1.0 and float(missed["latency_ms"]) > 0
    assert "artifacts" not in missed["path"] and (Path(missed["path"]) / "model.xml").is_file()
    markdown = (report_dir / "report.md").read_text()
    assert "✗ missed" in markdown and "load average" in markdown and "(95% CI)" in markdown
    assert "What was timed" in markdown and "hint LATENCY" in markdown
    # regenerating from Hydra's own sweep dir finds the same report
    again = run_cli("report", f"{report_root}/runs/sweep-a")
    assert again.returncode == 1 and str(report_dir) in again.stdout
