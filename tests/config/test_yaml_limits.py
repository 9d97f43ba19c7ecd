"""A recipe file's YAML alias expansion is bounded: an alias bomb is refused at once, in one line
with exit code 2, by ``validate`` and ``build`` (issue 22, point 4)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ovbuild.cli.main import main
from tests.conftest import run_cli


def _bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": ``width ** levels`` strings from a few hundred bytes."""
    lines = ["# @package _global_", "name: bomb", 'a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias-bomb": _bomb(),
    "alias-bomb-in-a-mapping": "# @package _global_\nname: m\ny0: &y0 {a: 1, b: 2}\n"
    + "".join(f"y{i}: &y{i} {{p: *y{i - 1}, q: *y{i - 1}}}\n" for i in range(1, 21)),
    "deep-nesting": "# @package _global_\nname: deep\nx: " + "[" * 5_000 + "]" * 5_000 + "\n",
    "huge-file": "# @package _global_\nname: big\n" + "# padding\n" * 200_000,
}


def test_the_bomb_is_as_small_as_the_issue_says() -> None:
    assert len(HOSTILE["alias-bomb"].encode()) < 700


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_recipe_file_is_refused_fast_in_one_line(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    recipe = tmp_path / f"{name}.yaml"
    recipe.write_text(HOSTILE[name])
    start = time.process_time()
    code = main([command, f"recipe={recipe}", "--store", str(tmp_path / "store")])
    elapsed = time.process_time() - start
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"ovbuild: error: cannot parse {recipe}"), err[:500]
    # CPU seconds, not wall time; the expanded bomb would take minutes
    assert len(err.strip().splitlines()) == 1 and elapsed < 20, (err[:500], elapsed)
    assert not (tmp_path / "store").exists()


def test_the_real_process_does_not_hang(tmp_path: Path) -> None:
    recipe = tmp_path / "bomb.yaml"
    recipe.write_text(HOSTILE["alias-bomb"])
    done = run_cli("build", f"recipe={recipe}", "--store", str(tmp_path / "store"), cwd=tmp_path)
    assert done.returncode == 2 and "alias" in done.stderr and done.stderr.count("\n") == 1, done.stderr
