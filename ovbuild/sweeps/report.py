"""The sweep report: one row per variant from its manifest, written as Markdown, CSV and a plot.

Numbers come from each artifact's ``manifest.json`` (size, accuracy, compile time, stage keys,
recipe) and from the loader benchmark; the stage cache's ``builds.jsonl`` shows how often each
shared stage was really built during the sweep.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.metrics.registry import find_metric
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest
from ovbuild.store.fs import write_json_atomic
from ovbuild.sweeps.pareto import front, higher_is_better
from ovbuild.sweeps.records import MISSED_GATE
from ovbuild.sweeps.shared import shared_work

log = logging.getLogger("ovbuild.sweeps")
VARIANTS_FILE = "variants.json"
COLUMNS = [
    "variant",
    "status",
    "pareto",
    "latency_ms",
    "ci_low_ms",
    "ci_high_ms",
    "p90_ms",
    "rounds",
    "accuracy",
    "accuracy_worst",
    "metric",
    "size_bytes",
    "compile_seconds",
    "precision",
    "name",
    "version",
    "path",
    "error",
]


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


def labels(records: list[dict[str, Any]]) -> list[str]:
    """Each variant's label: the overrides that differ between variants (all of them if none do)."""
    # `++key=value` (added by override normalization) and `key=value` are the same choice
    plain = [[o.lstrip("+") for o in r["overrides"]] for r in records]
    common = set.intersection(*(set(p) for p in plain)) if records else set()
    out = []
    for overrides in plain:
        varying = [o for o in overrides if o not in common]
        out.append(" ".join(varying or overrides) or "(defaults)")
    return out


def _row(label: str, record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    row: dict[str, Any] = {c: None for c in COLUMNS}
    row.update(variant=label, status=record["status"], error=record.get("error"), pareto=False)
    if record["status"] == MISSED_GATE:
        gate = record.get("gate") or {}
        row.update(metric=gate.get("metric"), accuracy=gate.get("value"), path=gate.get("candidate"))
        return row, None
    if record["status"] != "success":
        return row, None
    path = Path(record["path"])
    try:
        manifest = Manifest.read(path)
    except ArtifactIntegrityError as exc:
        row.update(status="error", error=f"cannot read {path / 'manifest.json'}: {exc}")
        return row, None
    metrics = manifest.metrics
    accuracy = metrics.get("accuracy") or {}
    metric, value = gated_accuracy(manifest, accuracy)
    blobs = manifest.blobs
    row.update(
        name=manifest.name,
        version=record.get("version"),
        path=str(path),
        size_bytes=metrics.get("size_bytes"),
        metric=metric,
        accuracy=value,
        accuracy_worst=accuracy.get(f"{metric}.worst"),
        compile_seconds=sum(b.get("compile_seconds", 0.0) for b in blobs.values()) if blobs else None,
        precision=manifest.precision,
    )
    return row, manifest


def gated_accuracy(manifest: Manifest, accuracy: dict[str, Any]) -> tuple[str | None, Any]:
    """``(check, value)``: the recipe's ``validate.metric`` when the manifest holds it, else the
    first gated check (not a ``.worst``/``.p5`` statistic or a breakdown figure)."""
    wanted = (manifest.recipe.get("validate") or {}).get("metric")
    if wanted in accuracy:
        return wanted, accuracy[wanted]
    from ovbuild.metrics.registry import find_metric

    for name, value in accuracy.items():
        if not name.endswith((".worst", ".p5")) and find_metric(name) is not None:
            return name, value
    return next(iter(accuracy.items()), (None, None))


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _gate(row: dict[str, Any]) -> str:
    if row["status"] == MISSED_GATE:
        return "✗ missed"
    return "✓" if row["metric"] else "-"


def _markdown(report: SweepReport, sweep_dir: str | None) -> str:
    shown = [r for r in report.rows if r["status"] in ("success", MISSED_GATE)]
    metric = next((r["metric"] for r in shown if r["metric"]), None)
    lines = _header(report, sweep_dir, metric) + _variant_table(shown, metric)
    timed = {r["variant"]: r.get("timed") for r in shown if r.get("timed")}
    if timed:
        from ovbuild.runtime.timing import describe

        lines += ["", "What was timed (as `ovbuild bench` and `python loader.py --bench` time it):", ""]
        lines += [f"- `{variant}`: {describe(what)}" for variant, what in timed.items()]
    if report.failed:
        lines += ["", "## Failed variants", "", "| variant | error |", "|---|---|"]
        for r in report.failed:
            error = str(r["error"] or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{r['variant']}` | {error} |")
    if report.shared:
        lines += _shared_work(report.shared)
    lines += ["", "![Pareto plot](pareto.png)", ""]
    return "\n".join(lines)


def _header(report: SweepReport, sweep_dir: str | None, metric: str | None) -> list[str]:
    ok = [r for r in report.rows if r["status"] == "success"]
    lines = [
        "# Sweep report",
        "",
        f"{len(ok)} of {len(report.rows)} variants built and passed their gate"
        + (f"; Hydra sweep dir `{sweep_dir}`" if sweep_dir else "")
        + (
            ". Pareto front (lower latency, better accuracy) marked with ★."
            if metric
            else ". No accuracy measured (no `validate` group in the sweep): the Pareto front (★) is "
            "on latency and artifact size."
        ),
        "",
    ]
    m = report.machine
    if m:
        lines += [
            f"Latency: every variant measured together in interleaved rounds (median over rounds of "
            f"each round's median, with its 95% confidence interval) on {m.get('cpu')}, "
            f"{m.get('cores')} cores (this process on {m.get('affinity', '?')}), load average "
            f"{m.get('load_avg')} (1, 5, 15 min).",
            "",
        ]
    return lines


def _variant_table(shown: list[dict[str, Any]], metric: str | None) -> list[str]:
    direction = "higher is better" if higher_is_better(metric) else "lower is better"
    shown_metric = find_metric(metric)
    digits = f".{shown_metric.digits}f" if shown_metric is not None else ".6f"
    lines = [
        "| | variant | gate | latency ms p50 (95% CI) | p90 ms | rounds | "
        + (f"{metric} ({direction})" if metric else "accuracy")
        + " | worst sample | size MB | compile s | precision | artifact |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in shown:
        link = (
            f"[{r['name']} v{r['version']}]({r['path']})" if r["status"] == "success" else "(not published)"
        )
        size = None if r["size_bytes"] is None else r["size_bytes"] / 1e6
        lines.append(
            f"| {'★' if r['pareto'] else ''} | `{r['variant']}` | {_gate(r)} "
            f"| {_fmt(r['latency_ms'], '.3f')} "
            f"({_fmt(r['ci_low_ms'], '.3f')}-{_fmt(r['ci_high_ms'], '.3f')}) "
            f"| {_fmt(r['p90_ms'], '.3f')} | {_fmt(r['rounds'], 'd')} "
            + (
                f"| {_fmt(r['accuracy'], digits)} | {_fmt(r['accuracy_worst'], digits)} "
                if metric
                else "| not measured | - "
            )
            + f"| {_fmt(size, '.2f')} "
            f"| {_fmt(r['compile_seconds'], '.2f')} | {r['precision'] or '-'} | {link} |"
        )
    return lines


def _shared_work(shared: dict[str, dict[str, int]]) -> list[str]:
    lines = [
        "",
        "## Shared work (stage cache)",
        "",
        "Builds logged in the stage cache for the keys these variants use: one build per distinct key "
        "means the stage ran once and every other variant reused it; 0 means it was cached before "
        "this sweep (or is not a cached stage). Calibration statistics (static INT8, NNCF): "
        "variants that quantized, distinct (model, samples, settings, pipeline step) collected, "
        "and passes over the calibration data the sweep ran for them.",
        "",
        "| stage | variants | distinct keys | builds |",
        "|---|---|---|---|",
    ]
    lines += [f"| {stage} | {n['variants']} | {n['keys']} | {n['builds']} |" for stage, n in shared.items()]
    return lines


def _measure_rows(
    rows: list[dict[str, Any]], records: list[dict[str, Any]], seconds: float, rounds: int
) -> None:
    """Measure every built or gate-missing variant without a recorded ``bench``, all together."""
    from ovbuild.sweeps.measure import measure_interleaved

    pending = {
        str(i): row["path"]
        for i, (row, record) in enumerate(zip(rows, records, strict=True))
        if row["status"] in ("success", MISSED_GATE)
        and row["path"]
        and (Path(row["path"]) / "model.xml").exists()
        and "bench" not in record
    }
    if pending:
        measured = measure_interleaved(pending, rounds=rounds, seconds=max(seconds / rounds, 0.02))
        for i, result in measured.items():
            records[int(i)]["bench"] = result
    for row, record in zip(rows, records, strict=True):
        bench = record.get("bench") or {}
        row.update(
            latency_ms=bench.get("median_ms"),
            ci_low_ms=bench.get("low_ms"),
            ci_high_ms=bench.get("high_ms"),
            timed=bench.get("what"),
            p90_ms=bench.get("p90_ms"),
            rounds=bench.get("rounds"),
        )
        if "error" in bench:
            row["error"] = f"latency not measured: {bench['error']}"


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
        row, manifest = _row(label, record)
        if manifest is not None:
            manifests.append(manifest)
        rows.append(row)
    _keep_a_good_report(report_dir, rows, records)
    if machine is None or any("bench" not in r for r in records if r["status"] in ("success", MISSED_GATE)):
        from ovbuild.bench.data import machine as current_machine

        machine = current_machine()  # load average as the latency is measured
    _measure_rows(rows, records, bench_seconds, bench_rounds)
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
    (report_dir / "report.md").write_text(_markdown(report, where["sweep_dir"]))
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
