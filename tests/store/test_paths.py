"""Artifact names are checked and every store path stays inside ``store.root`` (issue 13, point 1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.config import load_recipe
from ovbuild.errors import ArtifactError, RecipeError
from ovbuild.store import ArtifactStore
from ovbuild.store.paths import MAX_NAME_LENGTH, inside, name_problem, protect
from tests.conftest import run_cli

BAD_NAMES = [
    "/abs/dir/x",
    "../../x",
    "..",
    "",
    "a/b",
    "line\nbreak",
    "x" * 300,
    ".hidden",
    "-flag",
    "a b",
    "a..b",
]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_names_are_refused_by_the_recipe_check(name: str, tmp_path: Path) -> None:
    assert name_problem(name) is not None
    with pytest.raises(RecipeError, match=r"name: "):
        load_recipe(["recipe=silero_vad", f"store.root={tmp_path}"], raw=_raw(name, tmp_path))
    assert not any(tmp_path.iterdir())


def _raw(name: str, root: Path) -> dict:
    from ovbuild.config import compose_raw

    raw = compose_raw(["recipe=silero_vad", f"store.root={root}"])
    return {**raw, "name": name}


@pytest.mark.parametrize("name", ["silero_vad", "MiniLM-L6.v2", "a", "x" * MAX_NAME_LENGTH])
def test_good_names_pass(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["/abs/dir/x", "../../x", "..", "a/b"])
def test_build_refuses_a_bad_name_even_past_the_schema(name: str, tmp_path: Path) -> None:
    """``build()`` called with a hand-made recipe dict checks again before writing anything."""
    recipe = load_recipe(["recipe=silero_vad", f"store.root={tmp_path / 'store'}"])
    with pytest.raises(ArtifactError, match="name: "):
        build({**recipe, "name": name})
    assert not (tmp_path / "store").exists()
    assert not (tmp_path / "x").exists() and not (tmp_path.parent / "x").exists()


def test_cli_names_the_key_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    outside = tmp_path / "abs"
    done = run_cli("build", "recipe=silero_vad", f"name={outside}/x", f"store.root={store}")
    assert done.returncode == 2, done.stderr
    assert "ovbuild: error: name: " in done.stderr and "Traceback" not in done.stderr
    assert not outside.exists() and not store.exists()


def test_inside_follows_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "artifacts").mkdir(parents=True)
    os.symlink(tmp_path, root / "artifacts" / "escape")
    assert inside(root, root / "artifacts" / "ok") == (root / "artifacts" / "ok").resolve()
    with pytest.raises(ArtifactError, match="outside the store"):
        inside(root, root / "artifacts" / "escape" / "x")
    with pytest.raises(ArtifactError, match="outside the store"):
        ArtifactStore(root).name_dir("escape")


def test_a_name_directory_that_is_a_symlink_out_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "artifacts").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "artifacts" / "vad")
    with pytest.raises(ArtifactError, match="outside the store"):
        ArtifactStore(root).publish("vad", "0" * 64, tmp_path)
    assert not any(elsewhere.iterdir())


def test_resolve_refuses_traversal(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    for ref in ("../x", "vad/../../etc", "vad/1/../../..", "vad/x"):
        with pytest.raises(ArtifactError, match="no artifact"):
            store.resolve(ref)


def test_protect_clears_every_write_bit(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f").write_text("x")
    protect(tmp_path)
    assert (tmp_path / "sub" / "f").stat().st_mode & 0o222 == 0
