"""Job records gathered from a sweep dir, including a job whose worker died without one."""

from __future__ import annotations

from pathlib import Path

from ovbuild.sweeps.records import collect, job_record, write_job_record


def test_collect_orders_jobs_and_reports_a_job_that_left_no_record(tmp_path: Path):
    ok = job_record(
        0, ["precision=fp32"], "COMPLETED", {"status": "success", "name": "m", "version": 1, "path": "/x"}
    )
    write_job_record(tmp_path / "0", ok)
    raised = job_record(10, ["precision=fp16"], "FAILED", RuntimeError("boom"))
    write_job_record(tmp_path / "10", raised)
    died = tmp_path / "2" / ".hydra"
    died.mkdir(parents=True)
    (died / "overrides.yaml").write_text("- precision=int8\n")

    records = collect(tmp_path)
    assert [r["num"] for r in records] == [0, 2, 10]
    assert records[0]["status"] == "success" and records[0]["path"] == "/x"
    assert records[1] == {
        "num": 2,
        "overrides": ["precision=int8"],
        "status": "error",
        "error": "the job left no result (worker process died?)",
    }
    assert records[2]["error"] == "RuntimeError: boom"


def test_collect_skips_jobs_left_over_from_an_earlier_multirun(tmp_path: Path):
    import os
    import time

    for num in (0, 1):
        (tmp_path / str(num) / ".hydra").mkdir(parents=True)
        (tmp_path / str(num) / ".hydra" / "overrides.yaml").write_text(f"- precision=p{num}\n")
        write_job_record(tmp_path / str(num), job_record(num, [f"precision=p{num}"], "FAILED", None))
    old = time.time() - 3600
    os.utime(tmp_path / "1" / ".hydra" / "overrides.yaml", (old, old))
    assert [r["num"] for r in collect(tmp_path, since=time.time() - 60)] == [0]
    assert [r["num"] for r in collect(tmp_path)] == [0, 1]
