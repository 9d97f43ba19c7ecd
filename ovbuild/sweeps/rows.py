"""The sweep report's rows: one per variant, from its record, its manifest and its latency.

A row has every column of :data:`COLUMNS` (``None`` where a variant has no figure); variants that
carry no recorded ``bench`` are measured together in interleaved rounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest
from ovbuild.sweeps.records import MISSED_GATE

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


def variant_row(label: str, record: dict[str, Any]) -> tuple[dict[str, Any], Manifest | None]:
    """``(row, manifest)`` of one variant; the manifest only when it built and can be read."""
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


def measure_rows(
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
