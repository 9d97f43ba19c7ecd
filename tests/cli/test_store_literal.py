"""``--store PATH`` is a path, taken literally: it never reaches Hydra's override parser as text
(issue 22, point 3). A comma does not start a sweep, ``${...}`` is not interpolated, non-ASCII
letters and quotes work, in ``build`` and ``validate``, and ``$OVBUILD_STORE`` too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.store.verify import store_problems
from tests.conftest import recipe_for, run_cli

HOSTILE = ["p,q", "x${oc.env:HOME}y", "dé€ü", "a${b", "q'\"z", "back\\${slash}", "m=1 n"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """silero_vad built once; each test copies the store, so its build is a cache hit."""
    root = tmp_path_factory.mktemp("literal")
    build(recipe_for("recipe=silero_vad", root=root))
    return root


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_takes_the_store_literally(name: str, tmp_path: Path, capsys) -> None:
    from ovbuild.cli.main import main

    store = tmp_path / name
    assert main(["validate", "recipe=silero_vad", "--store", str(store)]) == 0, capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written, anywhere


@pytest.mark.parametrize("name", ["p,q", "dé€ü", "q'\"z"])
def test_build_publishes_into_the_literal_path_and_nowhere_else(
    name: str, built: Path, tmp_path: Path
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    store = tmp_path / name
    shutil.copytree(built, store, symlinks=True)
    done = run_cli("build", "recipe=silero_vad", "--store", str(store), cwd=work)
    assert done.returncode == 0, done.stderr
    assert f"-> {store / 'artifacts' / 'silero_vad' / '1'}" in done.stdout, done.stdout
    assert "(unchanged)" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cwd", name])  # no ./q, no other store
    assert list(work.iterdir()) == []
    assert (store / "runs").is_dir()  # Hydra's run dir went under the literal store too
    assert store_problems(store) == []


def test_a_build_refuses_a_store_path_holding_an_interpolation(built: Path, tmp_path: Path) -> None:
    """Hydra reads its run dir back as config text: such a store is refused, not misplaced."""
    store = tmp_path / "x${oc.env:HOME}y"
    shutil.copytree(built, store, symlinks=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    for how in (["--store", str(store)], ["-m", "--store", str(store)]):
        done = run_cli("build", "recipe=silero_vad", *how, cwd=tmp_path)
        assert done.returncode == 2 and "store.root: " in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before and store_problems(store) == []


def test_the_environment_variable_is_literal_too(built: Path, tmp_path: Path) -> None:
    store = tmp_path / "e,é q"
    shutil.copytree(built, store, symlinks=True)
    done = run_cli("build", "recipe=silero_vad", env={"OVBUILD_STORE": str(store)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"-> {store / 'artifacts' / 'silero_vad' / '1'} " in done.stdout.replace("\n", " "), done.stdout
    listed = run_cli("ls", env={"OVBUILD_STORE": str(store)}, cwd=tmp_path)
    assert "silero_vad" in listed.stdout, listed.stdout + listed.stderr
