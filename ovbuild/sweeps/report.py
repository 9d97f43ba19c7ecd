"""The sweep report: one row per variant from its manifest, written as Markdown, CSV and a plot.

Numbers come from each artifact's ``manifest.json`` (size, accuracy, compile time, stage keys,
recipe) and from the loader benchmark; the stage cache's ``builds.jsonl`` shows how often each
shared stage was really built during the sweep.

This module writes the files and reads a finished sweep back; :mod:`.rows` makes the rows and
measures their latency, :mod:`.markdown` renders ``report.md``.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.store.fs import write_json_atomic
from ovbuild.sweeps.markdown import render_markdown
from ovbuild.sweeps.pareto import front
from ovbuild.sweeps.records import MISSED_GATE
from ovbuild.sweeps.rows import COLUMNS, labels, measure_rows, variant_row
from ovbuild.sweeps.shared import shared_work

# COLUMNS and labels: imported from here by callers and tests
__all__ = ["COLUMNS", "SweepReport", "labels", "regenerate", "write_report"]

log = logging.getLogger("ovbuild.sweeps")
VARIANTS_FILE = "variants.json"


@dataclass
class SweepReport:
    """What a written report holds; ``failed`` is what makes ``ovbuild build -m`` exit non-zero."""

    report_dir: Path
    rows: list[dict[str, Any]]
    shared: dict[str, dict[str, int]] = field(default_factory=dict)

    machine: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Variants that did not build, or built but missed their ``validate`` gate."""
        return [r for r in self.rows if r["status"] != "success"]


def write_report(
    report_dir: str | Path,
    records: list[dict[str, Any]],
    *,
    store_root: str | Path | None = None,
    bench_seconds: float = 2.0,
    sweep_dir: str | Path | None = None,
    since: float | None = None,
    bench_rounds: int = 9,
    machine: dict[str, Any] | None = None,
) -> SweepReport:
    """Write ``report.md``, ``report.csv``, ``pareto.png`` and ``variants.json`` into ``report_dir``.

    Args:
        report_dir: where the report goes (created).
        records: one per variant (``records.job_record`` shape); a record that already carries
            ``bench`` is not measured again.
        store_root: the store whose ``cache/builds.jsonl`` shows shared work (optional).
        bench_seconds: measuring time per variant (split over ``bench_rounds`` interleaved rounds)
            for every variant without a recorded latency.
        sweep_dir: Hydra's sweep dir, linked from the report.
        since: when the sweep started (epoch seconds); builds logged before it are not its work.
        bench_rounds: interleaved measuring rounds.
        machine: CPU, cores and load average of an earlier measurement being reused.

    Returns:
        The ``SweepReport`` (rows in the order of ``records``).
    """
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    rows, manifests = [], []
    for label, record in zip(labels(records), records, strict=True):
        row, manifest = variant_row(label, record)
        if manifest is not None:
            manifests.append(manifest)
        rows.append(row)
    _keep_a_good_report(report_dir, rows, records)
    if machine is None or any("bench" not in r for r in records if r["status"] in ("success", MISSED_GATE)):
        from ovbuild.bench.data import machine as current_machine

        machine = current_machine()  # load average as the latency is measured
    measure_rows(rows, records, bench_seconds, bench_rounds)
    ok = [r for r in rows if r["status"] == "success"]
    metric = next((r["metric"] for r in rows if r["metric"]), None)
    for i in front(ok, metric):
        ok[i]["pareto"] = True

    shared = shared_work(manifests, Path(store_root), since) if store_root is not None else {}
    report = SweepReport(report_dir, rows, shared, machine)
    where = {
        "sweep_dir": str(sweep_dir) if sweep_dir else None,
        "store_root": str(store_root) if store_root else None,
    }
    _write_files(report, records, metric, where, since)
    return report


def _write_files(
    report: SweepReport,
    records: list[dict[str, Any]],
    metric: str | None,
    where: dict[str, Any],
    since: float | None,
) -> None:
    """``variants.json`` (what ``regenerate`` reads back), ``report.csv``, ``report.md``, ``pareto.png``."""
    from ovbuild.sweeps.plot import plot_pareto

    report_dir = report.report_dir
    write_json_atomic(
        report_dir / VARIANTS_FILE,
        {**where, "since": since, "machine": report.machine, "variants": records},
    )
    with open(report_dir / "report.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(report.rows)
    (report_dir / "report.md").write_text(render_markdown(report, where["sweep_dir"]))
    try:
        plot_pareto(report.rows, report_dir / "pareto.png", metric)
    except ImportError as exc:  # matplotlib comes with the `dist` extra; the tables do not need it
        log.warning("pareto.png not drawn: %s (pip install 'ovbuild[dist]')", exc)


def _keep_a_good_report(report_dir: Path, rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Refuse to replace a written report when a variant it showed as built can no longer be read
    (its version removed or corrupt): the old report is better than one that lost the variant."""
    from ovbuild.errors import ArtifactError

    lost = [
        row
        for row, record in zip(rows, records, strict=True)
        if record["status"] == "success" and row["status"] != "success"
    ]
    if lost and (report_dir / "report.md").exists():
        raise ArtifactError(
            f"{lost[0]['error']} (variant {lost[0]['variant']}); the report in {report_dir} is kept "
            "unchanged: rebuild the variant, or remove the report to write it without it"
        )


def _is_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("status"), str)
        and isinstance(record.get("overrides"), list)
        and (record["status"] != "success" or isinstance(record.get("path"), str))
    )


def regenerate(directory: str | Path, *, bench_seconds: float = 2.0, remeasure: bool = False) -> SweepReport:
    """Rewrite the report of a finished sweep from its report dir or its Hydra sweep dir.

    Args:
        directory: a report dir (holding ``variants.json``) or a Hydra multirun dir.
        bench_seconds: benchmark length when latency must be measured.
        remeasure: measure latency again instead of reusing the recorded numbers.

    Raises:
        ArtifactError: ``directory`` is neither.
    """
    from ovbuild.errors import ArtifactError
    from ovbuild.sweeps.records import collect

    directory = Path(directory)
    saved = directory / VARIANTS_FILE
    if saved.exists():
        try:
            data = json.loads(saved.read_text())
            records = data["variants"]
            if not isinstance(records, list) or not all(_is_record(r) for r in records):
                raise ValueError("'variants' is not a list of records with a status and overrides")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArtifactError(f"{saved}: not a readable sweep record ({exc}); the report is kept") from exc
        if remeasure:
            for r in records:
                r.pop("bench", None)
        return write_report(
            directory,
            records,
            store_root=data.get("store_root"),
            bench_seconds=bench_seconds,
            sweep_dir=data.get("sweep_dir"),
            since=data.get("since"),
            machine=None if remeasure else data.get("machine"),
        )
    if (directory / "multirun.yaml").exists():
        from omegaconf import OmegaConf

        cfg = OmegaConf.load(directory / "multirun.yaml")
        here = directory.resolve()
        if here.parent.name == "multirun" and here.parents[1].name == "runs":  # <store>/runs/multirun/<id>
            store_root = str(here.parents[2])  # (store.root may be `--store`'s ${oc.env:...}, now unset)
        else:
            store_root = OmegaConf.select(cfg, "store.root", default=None)
        target = Path(store_root) / "sweeps" / directory.name if store_root else directory
        if (target / VARIANTS_FILE).exists():  # keeps the variants rejected before launch
            return regenerate(target, bench_seconds=bench_seconds, remeasure=remeasure)
        return write_report(
            target,
            collect(directory),
            store_root=store_root,
            bench_seconds=bench_seconds,
            sweep_dir=directory,
        )
    raise ArtifactError(
        f"{directory}: neither a sweep report ({VARIANTS_FILE}) nor a Hydra sweep dir (multirun.yaml)"
    )
