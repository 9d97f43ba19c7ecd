"""A wheel install finds the bundled configs, recipes and data; ``ovbuild init`` starts a project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

_SKIP = shutil.ignore_patterns(".venv", ".git", "outputs", "build", "*.egg-info", "__pycache__", ".*cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ovbuild built as a wheel from a copy of the repo and installed (without its dependencies,
    which the test interpreter already has) into a directory of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(REPO, source, symlinks=True, ignore=_SKIP)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", source], check=True
    )
    (wheel,) = (tmp / "dist").glob("ovbuild-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", tmp / "site", wheel], check=True)
    return tmp / "site"


def _run(site: Path, cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # cwd outside the repo and PYTHONPATH = the install: the editable install of the repo (a
    # meta-path finder appended after the path finder) is not what gets imported.
    full = {**os.environ, "PYTHONPATH": str(site), **(env or {})}
    full.pop("OVBUILD_RECIPES", None)
    full.pop("OVBUILD_CONF", None)
    return subprocess.run(
        [sys.executable, "-m", "ovbuild.cli.main", *args], cwd=cwd, env=full, capture_output=True, text=True
    )


@pytest.mark.timeout(600)
def test_wheel_install_finds_bundled_recipes(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import ovbuild; print(ovbuild.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(installed)), where.stdout + where.stderr
    assert not (installed / "ovbuild" / "_bundled" / "conf").is_symlink()
    # minilm's int8 variant names the shipped sentences file (${pkg_path:ovbuild,_bundled/data/...}).
    checked = _run(installed, tmp_path, "validate", "recipe=minilm", "precision=int8")
    assert checked.returncode == 0, checked.stderr
    store = tmp_path / "store"
    built = _run(installed, tmp_path, "build", "recipe=silero_vad", "--store", str(store))
    assert built.returncode == 0, built.stderr
    assert "silero_vad v1 (new version)" in built.stdout
    assert (
        str(installed) in built.stderr + built.stdout or (store / "artifacts" / "silero_vad" / "1").is_dir()
    )
    listed = _run(installed, tmp_path, "ls", env={"OVBUILD_STORE": str(store)})
    assert "silero_vad" in listed.stdout, listed.stdout + listed.stderr


def test_bundled_data_resolves_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    code = (
        "from ovbuild.config import load_recipe; "
        "print(load_recipe(['recipe=minilm', 'precision=int8'])['calibration']['path'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.is_file() and str(path).startswith(str(installed)), path


def test_init_copies_starter_recipes(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    done = run_cli("init", str(project))
    assert done.returncode == 0, done.stderr
    assert (project / "recipes" / "silero_vad.yaml").read_text() == (
        REPO / "recipes" / "silero_vad.yaml"
    ).read_text()
    (project / "recipes" / "silero_vad.yaml").write_text("# mine\n")
    again = run_cli("init", str(project))
    bundled = len(list((REPO / "recipes").glob("*.yaml")))
    assert (
        again.returncode == 0
        and "0 recipes copied" in again.stdout
        and f"kept {bundled} existing" in again.stdout
    )
    assert (project / "recipes" / "silero_vad.yaml").read_text() == "# mine\n"
    # ./recipes wins over the bundled recipes: the edited copy (no name) is what validate reads.
    mine = run_cli("validate", "recipe=silero_vad", cwd=project)
    assert mine.returncode == 2 and "name" in mine.stderr, mine.stdout + mine.stderr


def test_recipe_given_as_a_path(tmp_path: Path) -> None:
    mine = tmp_path / "my_vad.yaml"
    mine.write_text((REPO / "recipes" / "silero_vad.yaml").read_text())
    done = run_cli("validate", f"recipe={mine}", "name=my_vad")
    assert done.returncode == 0 and "'my_vad' is valid" in done.stdout, done.stderr
    relative = run_cli("validate", "recipe=./my_vad.yaml", cwd=tmp_path)
    assert relative.returncode == 0, relative.stderr
    missing = run_cli("validate", "recipe=./nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "no such recipe file" in missing.stderr


@pytest.mark.parametrize(
    "override",
    [
        "inputs.input=[1,512]",
        "inputs.brand_new=[1,4]",
        "validate.target=tests.x:y",
        "source.args.weights=w.pt",
    ],
)
def test_dotted_keys_need_no_plus(override: str) -> None:
    done = run_cli("validate", "recipe=silero_vad", override)
    assert "Could not override" not in done.stderr and "+" + override not in done.stderr, done.stderr
