"""``bench --compare`` says faster or slower the way the numbers go."""

from __future__ import annotations

from ovbuild.bench._table import compare_note, format_table


def _report(artifact_ms: float, baseline_ms: float) -> dict:
    def res(ms: float) -> dict:
        return {
            "latency": {"median_ms": ms, "p90_ms": ms, "p99_ms": ms},
            "throughput": {"throughput": 1000 / ms},
        }

    results = {"artifact": res(artifact_ms), "optimum_default": res(baseline_ms)}
    ratio = {"latency_speedup": baseline_ms / artifact_ms, "throughput_ratio": baseline_ms / artifact_ms}
    return {
        "artifact": "a",
        "device": "CPU",
        "inputs": "x",
        "results": results,
        "ratios": {"optimum_default": ratio},
        "errors": {},
    }


def test_compare_says_slower_when_the_artifact_is_slower() -> None:
    row = [
        line for line in format_table(_report(0.83, 0.50)).splitlines() if line.startswith("optimum_default")
    ][0]
    assert "1.66x higher latency (slower)" in row and "lower throughput" in row
    assert "lower latency" not in row


def test_compare_says_faster_when_the_artifact_is_faster() -> None:
    assert compare_note({"latency_speedup": 2.0, "throughput_ratio": 1.5}) == (
        "2.00x lower latency, 1.50x higher throughput"
    )
    assert compare_note({"latency_speedup": 1.01}).startswith("about the same latency")
