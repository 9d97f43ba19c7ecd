"""``ovbuild gc`` is safe beside running builds and clears what killed builds leave (issue 13, 2 and 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ovbuild import build
from ovbuild.store import ArtifactStore, StageCache
from ovbuild.store.gc import collect
from ovbuild.store.lease import lease
from ovbuild.store.verify import store_problems
from tests.conftest import REPO, recipe_for, run_cli


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_gc_keeps_every_stage_of_a_kept_version_emit_included(store: Path) -> None:
    result = build(recipe_for("recipe=silero_vad", root=store))
    keys = result.manifest.stage_keys
    assert keys["emit"] == result.key
    collect(store, keep=1, grace=0)
    cache = StageCache(store)
    for stage in ("convert", "shape", "compress", "serialize", "precompile", "emit"):
        assert cache.lookup(stage, keys[stage]) is not None, stage
    again = build(recipe_for("recipe=silero_vad", "description=again", root=store))
    assert again.built == ["emit"]


def test_gc_clears_old_leftovers_and_idle_locks_but_not_fresh_or_leased_ones(store: Path) -> None:
    build(recipe_for("recipe=silero_vad", root=store))
    cache = StageCache(store)
    old_tmp = store / "cache" / "convert" / "ab" / ".tmp-abababababab-x1"
    fresh_tmp = store / "cache" / "convert" / "ab" / ".tmp-cdcdcdcdcdcd-x2"
    leased_tmp = store / "cache" / "convert" / "ab" / ".tmp-efefefefefef-x3"
    old_publish = store / "artifacts" / "silero_vad" / ".tmp-2-xyz"
    old_trash = store / "artifacts" / "silero_vad" / ".trash-1-9-abc"
    for path in (old_tmp, fresh_tmp, leased_tmp, old_publish, old_trash):
        path.mkdir(parents=True)
        (path / "model.bin").write_bytes(b"half")
    for path in (old_tmp, leased_tmp, old_publish, old_trash):
        _age(path, 7200)
    locks = sorted((cache.root / "_locks").glob("*.lock"))
    assert locks  # one per stage built
    idle = cache.root / "_locks" / f"convert-{'1' * 64}.lock"
    idle.touch()
    for lock in [*locks, idle]:
        _age(lock, 7200)
    leased_key = "ef" * 32
    with lease(store, "other", [leased_key]):
        done = collect(store, keep=3, grace=3600)
    assert done.leftovers == 3 and done.locks == len(locks) + 1
    assert not old_tmp.exists() and not old_publish.exists() and not old_trash.exists()
    assert fresh_tmp.exists() and leased_tmp.exists()
    assert list((cache.root / "_locks").glob("*.lock")) == []
    assert store_problems(store) == []
    assert build(recipe_for("recipe=silero_vad", root=store)).built == []


def test_dead_leases_are_dropped(store: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; from ovbuild.store.lease import lease\n"
        "with lease(Path(sys.argv[1]), 'ghost', ['ab' * 32]): os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(store)], cwd=REPO, timeout=60)
    assert done.returncode == 9
    assert len(list((store / "leases").glob("*.json"))) == 1
    collect(store, keep=1, grace=0)
    assert list((store / "leases").glob("*.json")) == []


def test_gc_in_a_loop_beside_four_builds(store: Path) -> None:
    """Four builds (two sharing early stages, two of another precision) run while gc loops with
    keep=1 and no grace: every build succeeds and every kept version's entries stay."""
    variants = [("vad_a", "fp32"), ("vad_b", "fp32"), ("vad_c", "fp16"), ("vad_d", "fp16")]
    stop = threading.Event()
    rounds: list[int] = []
    errors: list[BaseException] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                collect(store, keep=1, grace=0)
                rounds.append(1)
            except BaseException as exc:  # reported below, with the builds' results
                errors.append(exc)
            time.sleep(0.05)

    collector = threading.Thread(target=loop)
    collector.start()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ovbuild.cli.main", "build", "recipe=silero_vad", f"name={name}"]
            + [f"precision={precision}", f"store.root={store}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, precision in variants
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    stop.set()
    collector.join()
    assert errors == []
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-2000:] for _, err in outputs]
    assert len(rounds) > 5
    collect(store, keep=1, grace=0)
    assert store_problems(store) == []
    artifacts = ArtifactStore(store)
    cache = StageCache(store)
    for name, _ in variants:
        path = artifacts.resolve(name)
        manifest = (path / "manifest.json").read_text()
        for stage, key in json.loads(manifest)["stage_keys"].items():
            if stage != "source":  # not cached: metadata recomputed by every build
                assert cache.lookup(stage, key) is not None, (name, stage)
    done = run_cli("build", "recipe=silero_vad", "name=vad_a", f"store.root={store}")
    assert done.returncode == 0 and "unchanged" in done.stdout
