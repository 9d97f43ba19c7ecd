"""Latency already recorded in a manifest (``ovbuild bench --write``) is used as is."""

from __future__ import annotations

from ovbuild.sweeps.measure import recorded_bench


def test_recorded_bench_reads_the_shapes_bench_write_records():
    written = {"metrics": {"bench": {"latency": {"median_ms": 4.5, "p90_ms": 5.0}, "results": {}}}}
    assert recorded_bench(written["metrics"]) == {"median_ms": 4.5, "p90_ms": 5.0}
    older = {"metrics": {"bench": {"results": {"artifact": {"latency": {"median_ms": 7.0}}}}}}
    assert recorded_bench(older["metrics"]) == {"median_ms": 7.0, "p90_ms": 0.0}
    assert recorded_bench({"size_bytes": 1}) is None
