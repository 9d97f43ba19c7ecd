"""Variant records: one JSON file per job in its Hydra output dir, gathered after the sweep.

With the joblib and Ray launchers a job's return value and its ``on_job_end`` callback live in
the worker process; files in the sweep dir are what reaches the process that writes the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovbuild.store.fs import write_json_atomic

RECORD_FILE = "ovbuild_variant.json"
#: A record's status when the variant built but its validate metric missed validate.min/max.
MISSED_GATE = "missed_gate"


def job_record(num: int, overrides: list[str], status: str, value: Any) -> dict[str, Any]:
    """A job's record from its Hydra number, task overrides, status and return value.

    Args:
        num: ``hydra.job.num``.
        overrides: the job's task overrides (``hydra.overrides.task``).
        status: ``"COMPLETED"`` or ``"FAILED"`` (Hydra's ``JobStatus`` name).
        value: what ``_task`` returned (``{"status": ..., ...}``) or the exception it raised.

    Returns:
        ``{"num", "overrides", "status": "success"|"error", and "name", "version", "path" or "error"}``.
    """
    record: dict[str, Any] = {"num": num, "overrides": list(overrides)}
    if status == "COMPLETED" and isinstance(value, dict):
        record.update(value)
        record.setdefault("status", "success")
    elif isinstance(value, BaseException):
        record.update(status="error", error=f"{type(value).__name__}: {value}")
    else:
        record.update(status="error", error=f"job ended with {status} and no result")
    return record


def write_job_record(job_dir: str | Path, record: dict[str, Any]) -> Path:
    """Write ``record`` into the job's output dir; returns the file written."""
    path = Path(job_dir) / RECORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, record)
    return path


def _overrides_of(job_dir: Path) -> list[str]:
    from omegaconf import OmegaConf

    try:
        return [str(o) for o in OmegaConf.load(job_dir / ".hydra" / "overrides.yaml")]
    except (OSError, ValueError):
        return []


def collect(sweep_dir: str | Path, since: float | None = None) -> list[dict[str, Any]]:
    """Every job of a Hydra sweep dir, in job order; a job that left no record is an error.

    Args:
        sweep_dir: ``hydra.sweep.dir`` of the multirun.
        since: ignore job dirs Hydra set up before this time (``time.time()``): left over from
            an earlier multirun into the same dir.

    Returns:
        One record per job sub-directory (see ``job_record``).
    """
    records = []
    for job_dir in sorted(Path(sweep_dir).iterdir(), key=lambda p: (len(p.name), p.name)):
        if not job_dir.is_dir() or job_dir.name.startswith("."):
            continue
        marker = job_dir / ".hydra" / "overrides.yaml"
        if since is not None and (not marker.exists() or marker.stat().st_mtime < since):
            continue
        path = job_dir / RECORD_FILE
        if path.exists():
            records.append(json.loads(path.read_text()))
        elif (job_dir / ".hydra").is_dir():
            # The worker died (killed, out of memory) before on_job_end: still a failed variant.
            records.append(
                {
                    "num": int(job_dir.name) if job_dir.name.isdigit() else -1,
                    "overrides": _overrides_of(job_dir),
                    "status": "error",
                    "error": "the job left no result (worker process died?)",
                }
            )
    return records
