"""What a sweep's variants shared: stage builds (the stage cache's ``builds.jsonl``) and
calibration statistics (the statistics store's ``collections.jsonl``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.runtime.manifest import Manifest

#: The row of the shared-work table that counts calibration statistics passes.
STATISTICS_ROW = "calibration statistics"


def stage_work(
    manifests: list[Manifest], builds: list[dict[str, Any]], since: float | None = None
) -> dict[str, dict[str, int]]:
    """Per stage: distinct keys among the variants and how many builds of those keys the sweep ran.

    A stage whose ``builds`` equals its ``keys`` was computed once per distinct input although
    several variants (possibly in parallel) needed it; 0 builds means an earlier run cached it.
    Only builds logged at or after ``since`` (the sweep's start) count: the log keeps every
    build ever made, and a stage cached before the sweep was not built by it.
    """
    keys: dict[str, set[str]] = {}
    uses: dict[str, int] = {}
    for manifest in manifests:
        for stage, key in manifest.stage_keys.items():
            keys.setdefault(stage, set()).add(key)
            uses[stage] = uses.get(stage, 0) + 1
    from ovbuild.stages import default_stages

    order = [s.name for s in default_stages()]
    out = {}
    for stage in sorted(keys, key=lambda s: (order.index(s) if s in order else len(order), s)):
        stage_keys = keys[stage]
        built = sum(
            1
            for b in builds
            if b.get("stage") == stage
            and b.get("key") in stage_keys
            and (since is None or b.get("time", 0.0) >= since)
        )
        out[stage] = {"variants": uses[stage], "keys": len(stage_keys), "builds": built}
    return out


def quantized(manifests: list[Manifest]) -> list[Manifest]:
    """The manifests of variants that ran static INT8 (NNCF's quantize, with calibration statistics)."""
    return [m for m in manifests if "nncf_quantize" in (m.stages.get("compress") or {})]


def statistics_work(manifests: list[Manifest], passes: list[dict[str, Any]]) -> dict[str, int]:
    """Variants that ran static INT8, the distinct statistics (key, pipeline step) the sweep's
    ``passes`` collected, and the passes over the calibration data themselves."""
    return {
        "variants": len(quantized(manifests)),
        "keys": len({(p["key"], p["step"]) for p in passes}),
        "builds": len(passes),
    }


def shared_work(manifests: list[Manifest], store_root: Path, since: float | None = None) -> dict:
    """The shared-work table of a sweep into ``store_root`` that started at ``since``."""
    from ovbuild.store import StageCache
    from ovbuild.store.statistics import collections

    table = stage_work(manifests, StageCache(store_root).builds(), since)
    passes = collections(store_root, since)
    if passes or quantized(manifests):
        table[STATISTICS_ROW] = statistics_work(manifests, passes)
    return table
