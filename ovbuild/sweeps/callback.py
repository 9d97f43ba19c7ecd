"""The Hydra callback that turns a multirun into a report.

Registered in ``conf/config.yaml`` under ``hydra.callbacks.ovbuild_sweep``. ``on_job_start`` and
``on_job_end`` run wherever the job runs (the main process, a joblib worker, a Ray worker);
``on_multirun_end`` runs once in the main process after every job has finished, gathers the
records the jobs left in the sweep dir, measures latency one variant at a time and writes
``<store.root>/sweeps/<sweep id>/report.md``, ``report.csv`` and ``pareto.png``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

log = logging.getLogger("ovbuild.sweeps")

_state: dict[str, Any] = {"rejected": [], "report": None}


def set_rejected(records: list[dict[str, Any]]) -> None:
    """Variants taken out of the sweep before launch (see ``preflight``), for the next report."""
    _state["rejected"] = list(records)


def last_report() -> Any:
    """The ``SweepReport`` written by the last multirun in this process, or None."""
    return _state["report"]


def report_dir_for(store_root: str | Path, sweep_dir: str | Path) -> Path:
    """``<store_root>/sweeps/<name of the Hydra sweep dir>``."""
    return Path(store_root).expanduser().resolve() / "sweeps" / Path(sweep_dir).name


class SweepCallback(Callback):
    """Records every job's outcome and writes the comparison report at the end of a multirun.

    Args:
        bench_seconds: loader benchmark length per variant (when its manifest has no latency).
        cpus_per_job: cores each worker of a parallel launcher (joblib, Ray) is pinned to;
            0 lets every job use every core. The basic launcher runs jobs one at a time in the
            main process and is never pinned.
    """

    def __init__(self, bench_seconds: float = 2.0, cpus_per_job: int = 1) -> None:
        self.bench_seconds = float(bench_seconds)
        self.cpus_per_job = int(cpus_per_job)

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        _state["report"] = None
        _state["started"] = time.time()

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        from ovbuild.sweeps.threads import limit_cpus

        launcher = str(config.hydra.launcher.get("_target_", ""))
        if self.cpus_per_job > 0 and not launcher.endswith("BasicLauncher"):
            limit_cpus(self.cpus_per_job)

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.types import RunMode

        from ovbuild.sweeps.records import job_record, write_job_record

        if config.hydra.mode != RunMode.MULTIRUN:
            return
        record = job_record(
            int(config.hydra.job.num),
            list(job_return.overrides or []),
            job_return.status.name,
            job_return._return_value,  # the property re-raises a failed job's exception
        )
        write_job_record(config.hydra.runtime.output_dir, record)

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from ovbuild.sweeps.records import collect
        from ovbuild.sweeps.report import write_report

        sweep_dir = Path(str(config.hydra.sweep.dir)).resolve()
        # A reused sweep dir (same second, or an explicit hydra.sweep.dir) keeps older jobs' dirs;
        # only this run's jobs count (a few seconds of slack for a shared filesystem's clock).
        since = _state.get("started", 0.0) - 5.0
        records = collect(sweep_dir, since=since) if sweep_dir.is_dir() else []
        records += _state["rejected"]
        store_root = str(config.store.root)
        target = report_dir_for(store_root, sweep_dir)
        report = write_report(
            target,
            records,
            store_root=store_root,
            bench_seconds=self.bench_seconds,
            sweep_dir=sweep_dir,
            since=since,
        )
        _state["report"] = report
        _state["rejected"] = []
        failed = f", {len(report.failed)} failed" if report.failed else ""
        log.info("sweep report (%d variants%s): %s", len(report.rows), failed, target / "report.md")
