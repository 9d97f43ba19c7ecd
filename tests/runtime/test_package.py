"""The runtime package travels inside every artifact: it must stand alone, without ovbuild."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ovbuild.runtime import PACKAGE_DIR, copy_runtime, loader_source, runtime_digests, runtime_files

_ALLOWED_THIRD_PARTY = {"numpy"}  # openvino and optional libraries are imported inside functions


def _top_level_imports(path: Path) -> list[ast.stmt]:
    tree = ast.parse(path.read_text())
    return [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


@pytest.mark.parametrize("module", runtime_files(), ids=lambda p: p.parent.name + "/" + p.name)
def test_module_imports_only_stdlib_numpy_and_its_siblings(module: Path) -> None:
    for node in _top_level_imports(module):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            continue  # a sibling in the runtime package
        names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        for name in names:
            root = name.split(".")[0]
            allowed = root in sys.stdlib_module_names or root in _ALLOWED_THIRD_PARTY
            assert allowed, f"{module.name}:{node.lineno} imports {name} at top level"


@pytest.mark.parametrize("module", runtime_files(), ids=lambda p: p.parent.name + "/" + p.name)
def test_module_never_imports_ovbuild(module: Path) -> None:
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            assert not (node.module or "").startswith("ovbuild"), f"{module.name}:{node.lineno}"
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("ovbuild") for a in node.names), f"{module.name}:{node.lineno}"


def test_copied_package_imports_every_module_without_ovbuild(tmp_path: Path) -> None:
    runtime = copy_runtime(tmp_path)
    (tmp_path / "loader.py").write_text(loader_source("demo", "0", runtime_digests(runtime)))
    modules = sorted(
        ".".join(p.relative_to(tmp_path / PACKAGE_DIR).with_suffix("").parts)
        for p in (tmp_path / PACKAGE_DIR).rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        "sys.modules['ovbuild'] = None\n"
        "import loader\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(loader.runtime.__name__ + '.' + name.removesuffix('.__init__'))\n"
        "print(loader.load_artifact.__module__, loader.Model.__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == "Model"


def test_two_artifacts_load_their_own_runtime_side_by_side(tmp_path: Path) -> None:
    from ovbuild.runtime import import_loader

    for name in ("a", "b"):
        runtime = copy_runtime(tmp_path / name)
        if name == "b":  # built by another ovbuild: its runtime differs and must not be shadowed by a's
            marker = runtime / "model.py"
            marker.write_text(marker.read_text() + "\nBUILT_BY = 'b'\n")
        (tmp_path / name / "loader.py").write_text(loader_source(name, "0", runtime_digests(runtime)))
    a, b = import_loader(tmp_path / "a"), import_loader(tmp_path / "b")
    assert a.runtime.__name__ != b.runtime.__name__
    assert not hasattr(sys.modules[a.runtime.__name__ + ".model"], "BUILT_BY")
    assert sys.modules[b.runtime.__name__ + ".model"].BUILT_BY == "b"
