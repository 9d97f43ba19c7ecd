"""The import closure a stage's code digest covers (``ovbuild.imports``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import ovbuild
from ovbuild.graph import code_digest
from ovbuild.hashing import DigestMemo
from ovbuild.imports import CodeIndex

PACKAGE = Path(ovbuild.__file__).parent


def test_closure_follows_lazy_imports_and_stops_at_ovbuild() -> None:
    names = {f.relative_to(PACKAGE).as_posix() for f in CodeIndex().closure(PACKAGE / "stages/compress.py")}
    # compress imports precision lazily, inside apply_precision; auto.py only from there.
    assert {"stages/compress.py", "stages/base.py", "precision/compile_map.py", "precision/auto.py"} <= names
    assert not any(n.startswith(("cli/", "sweeps/", "compat/", "bench/")) for n in names)
    assert "stages/emit.py" not in names


def _digests(root: Path) -> dict[str, str]:
    index = CodeIndex(root)
    memo = DigestMemo(None)
    return {s: code_digest(root / "stages" / f"{s}.py", index, memo) for s in ("shape", "compress", "emit")}


def _touch(file: Path) -> None:
    file.write_text(file.read_text() + "\n# an edit\n")


def test_editing_a_stage_changes_its_digest_and_the_cli_changes_none(tmp_path: Path) -> None:
    root = tmp_path / "ovbuild"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    before = _digests(root)
    _touch(root / "cli" / "main.py")
    _touch(root / "sweeps" / "plot.py")
    assert _digests(root) == before
    _touch(root / "stages" / "shape.py")
    after = _digests(root)
    assert after["shape"] != before["shape"]
    assert (after["compress"], after["emit"]) == (before["compress"], before["emit"])
    _touch(root / "precision" / "layers.py")  # a library only compress runs
    last = _digests(root)
    assert last["compress"] != after["compress"]
    assert (last["shape"], last["emit"]) == (after["shape"], after["emit"])
