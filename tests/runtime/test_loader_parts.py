"""The runtime modules are concatenated into every generated loader.py: each must stand alone."""

from __future__ import annotations

import ast
import sys

import pytest

from ovbuild.runtime import LOADER_PARTS, loader_parts, loader_source

_ALLOWED_THIRD_PARTY = {"numpy"}  # openvino and optional libraries are imported inside functions


@pytest.mark.parametrize("part", loader_parts(), ids=lambda p: p.name)
def test_part_imports_only_the_standard_library_and_numpy(part) -> None:
    for line_no, line in enumerate(part.read_text().splitlines(), 1):
        if line.rstrip().endswith("# runtime-import"):
            continue  # dropped from the generated file; the names are its globals there
        stripped = line.strip()
        if line == stripped and stripped.startswith(("import ", "from ")) and "__future__" not in stripped:
            root = stripped.split()[1].split(".")[0]
            assert root in sys.stdlib_module_names or root in _ALLOWED_THIRD_PARTY, (part.name, line_no, line)


def test_generated_loader_compiles_without_name_clashes() -> None:
    source = loader_source("demo", "0")
    tree = ast.parse(source)
    defined: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            assert node.name not in defined, f"{node.name} is defined twice in the generated loader"
            defined[node.name] = node.lineno
    assert {"load", "load_artifact", "plan_devices", "audio_decode", "DynamicBatcher"} <= set(defined)
    assert len(loader_parts()) == len(LOADER_PARTS)
