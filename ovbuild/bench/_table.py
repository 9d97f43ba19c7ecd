"""What ``ovbuild bench`` prints: the fixed-width table, and the ratios it is read by."""

from __future__ import annotations

from typing import Any


def format_table(report: dict) -> str:
    """A fixed-width table of the results with ratios against the artifact."""
    from ovbuild.runtime.timing import describe

    head = (
        f"{'variant':<22}{'median ms':>10}{'95% CI':>16}{'p90 ms':>9}{'p99 ms':>9}{'inf/s (tput)':>14}"
        "  the artifact has"
    )
    lines = [f"ovbuild bench {report['artifact']}  device={report['device']}"]
    if report.get("timed"):
        lines.append(f"timed: {describe(report['timed'])}")
    if report.get("machine"):
        m = report["machine"]
        lines.append(
            f"machine: {m['cpu']}, {m['cores']} cores, affinity {m['affinity']}, load {m['load_avg']}"
        )
    lines.append(head)
    lines.append("-" * len(head))
    for name, res in report["results"].items():
        lat, tp = res["latency"], res.get("throughput") or {}
        ratio = report["ratios"].get(name)
        note = compare_note(ratio) if ratio else ""
        ci = f"{lat['low_ms']:.2f}-{lat['high_ms']:.2f}" if "low_ms" in lat else "-"
        lines.append(
            f"{name:<22}{lat['median_ms']:>10.2f}{ci:>16}{lat['p90_ms']:>9.2f}{lat['p99_ms']:>9.2f}"
            f"{tp.get('throughput', float('nan')):>14.1f}  {note}"
        )
    for name, err in report["errors"].items():
        lines.append(f"{name:<22}skipped: {err}")
    for name, text in (report.get("transcripts") or {}).items():
        lines.append(f"{name:<22}says: {text!r}")
    return "\n".join(lines)


def _versus(ratio: float, better: str, worse: str) -> str:
    """``1.50x lower latency`` / ``1.25x higher latency``: the factor is always >= 1, and the word
    says which way (a ratio printed below 1 beside "lower" read as the opposite of the numbers)."""
    if abs(ratio - 1) < 0.02:
        return f"about the same {better.split()[1]} (within 2%)"
    return f"{ratio:.2f}x {better}" if ratio > 1 else f"{1 / ratio:.2f}x {worse}"


def compare_note(ratio: dict[str, float]) -> str:
    """What the artifact has against one baseline, in words that match the numbers."""
    note = _versus(ratio["latency_speedup"], "lower latency", "higher latency (slower)")
    if "throughput_ratio" in ratio:
        note += ", " + _versus(ratio["throughput_ratio"], "higher throughput", "lower throughput")
    return note


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    base = results["artifact"]
    out = {}
    for name, res in results.items():
        if name == "artifact":
            continue
        ratio = {"latency_speedup": res["latency"]["median_ms"] / base["latency"]["median_ms"]}
        if res.get("throughput"):
            ratio["throughput_ratio"] = base["throughput"]["throughput"] / res["throughput"]["throughput"]
        out[name] = ratio
    return out
