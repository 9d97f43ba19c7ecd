"""The sweep report's "Shared work" table counts only the builds the sweep itself ran."""

from __future__ import annotations

import time
from pathlib import Path

from ovbuild import build
from ovbuild.store import StageCache
from ovbuild.sweeps.shared import stage_work
from tests.conftest import recipe_for


def test_shared_work_ignores_stages_cached_before_the_sweep(store: Path) -> None:
    build(recipe_for("recipe=silero_vad", root=store))  # convert and shape cached before the "sweep"
    since = time.time()
    variants = [
        build(recipe_for("recipe=silero_vad", f"precision={p}", root=store)) for p in ("fp16", "bf16")
    ]
    table = stage_work([v.manifest for v in variants], StageCache(store).builds(), since)
    assert table["convert"] == {"variants": 2, "keys": 1, "builds": 0}
    assert table["shape"]["builds"] == 0
    assert table["compress"] == {"variants": 2, "keys": 2, "builds": 2}
    # Without the sweep's start every build ever logged counts, which is what the table got wrong.
    assert stage_work([v.manifest for v in variants], StageCache(store).builds())["convert"]["builds"] == 1
