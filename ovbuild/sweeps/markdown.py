"""``report.md``: the sweep report as Markdown (header, variant table, what was timed, failures,
shared work)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ovbuild.metrics.registry import find_metric
from ovbuild.sweeps.pareto import higher_is_better
from ovbuild.sweeps.records import MISSED_GATE

if TYPE_CHECKING:
    from ovbuild.sweeps.report import SweepReport


def render_markdown(report: SweepReport, sweep_dir: str | None) -> str:
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


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _gate(row: dict[str, Any]) -> str:
    if row["status"] == MISSED_GATE:
        return "✗ missed"
    return "✓" if row["metric"] else "-"


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
