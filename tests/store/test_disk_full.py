"""A full disk or a read-only store is named (issue 22, point 5).

The store lives on a small tmpfs mounted for the test (needs root; skipped otherwise). At five
steps of a build the ``OVBUILD_FILL_DISK_AT`` hook fills that filesystem, so whatever the build
writes next fails as on a real full disk. The build must fail with one line naming the device,
the path and the store; the store must still verify, hold no temp file ``gc`` cannot remove, and
the next build (space freed) must succeed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.errors import StoreWriteError
from ovbuild.store.crashpoints import FILL_ENV
from ovbuild.store.gc import collect
from ovbuild.store.verify import store_problems
from tests.conftest import recipe_for, run_cli


def _mount(target: Path, *options: str) -> bool:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(("size=128m", *options)), "tmpfs", str(target)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.fixture(scope="module")
def tmpfs(tmp_path_factory: pytest.TempPathFactory):
    target = tmp_path_factory.mktemp("tmpfs")
    if os.geteuid() != 0 or not _mount(target):
        pytest.skip("needs root to mount a small tmpfs")
    yield target
    subprocess.run(["umount", "-l", str(target)], check=False)


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name.startswith((".tmp-", ".trash-"))]


# crash point -> name of the artifact built (a new name rebuilds emit and publishes anew)
POINTS = [
    "cache.tmp_created",
    "cache.produced",
    "cache.published",
    "artifact.tmp_created",
    "artifact.published",
]


@pytest.mark.slow
def test_disk_full_at_five_points_of_a_build(tmpfs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmpfs / "store"
    filler = tmpfs / "filler"
    seen = []
    for i, step in enumerate(POINTS):
        recipe = recipe_for("recipe=silero_vad", f"name=vad_full{i}", root=store)
        monkeypatch.setenv(FILL_ENV, f"{step}:{filler}")
        with pytest.raises(StoreWriteError) as caught:
            build(recipe)
        message = str(caught.value)
        seen.append(f"{step}: {message}")
        assert "\n" not in message
        assert "out of space on tmpfs" in message and f"mounted at {tmpfs}" in message, message
        assert f"in store {store}" in message and f"writing {store}" in message, message
        filler.unlink()
        monkeypatch.delenv(FILL_ENV)
        assert store_problems(store) == [], step
        collect(store, grace=0)
        assert _temp_files(store) == [], step  # nothing left that gc cannot remove
        result = build(recipe)  # space is back: the next build succeeds
        assert result.version >= 1 and store_problems(store) == []
    print("\n".join(seen))


@pytest.mark.slow
def test_disk_full_through_the_cli_is_one_line_exit_2(tmpfs: Path) -> None:
    store = tmpfs / "cli_store"
    filler = tmpfs / "cli_filler"
    done = run_cli(
        "build", "recipe=silero_vad", f"store.root={store}", env={FILL_ENV: f"cache.tmp_created:{filler}"}
    )
    filler.unlink()
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-3000:]
    assert lines[-1].startswith("ovbuild: error: stage ") and "out of space on tmpfs" in lines[-1], lines[-1]
    assert "Traceback" not in done.stderr


def test_gc_on_a_read_only_store_is_one_line_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0 or not _mount(target):
        pytest.skip("needs root to mount a tmpfs")
    try:
        (target / "store" / "artifacts").mkdir(parents=True)
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
        done = run_cli("gc", "--store", str(target / "store"))
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1, done.stderr
    assert "read-only file system (tmpfs" in done.stderr and str(target / "store") in done.stderr


def test_build_into_an_already_full_store_is_one_line_exit_2(tmpfs: Path) -> None:
    """Before Hydra writes its run directory (which used to end in Hydra's traceback)."""
    from ovbuild.store.crashpoints import fill_disk

    filler = tmpfs / "full_filler"
    fill_disk(str(filler))
    try:
        done = run_cli("build", "recipe=silero_vad", f"store.root={tmpfs / 'full_store'}")
    finally:
        filler.unlink()
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1 and "out of space on tmpfs" in done.stderr, done.stderr
    assert not list((tmpfs / "full_store").iterdir())  # the probe left nothing
