"""Shared by the compat tests: real model paths and the example scripts, imported as modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "legacy"


def silero(name: str = "silero_vad_16k_sequence.onnx") -> str:
    from importlib.resources import files

    return str(files("silero_vad") / "data" / name)


def example(name: str) -> ModuleType:
    """Import ``examples/legacy/<name>.py`` as written (it is a script, not a package module)."""
    path = EXAMPLES / f"{name}.py"
    if str(EXAMPLES) not in sys.path:  # as when run as a script: its siblings (_latency) import
        sys.path.append(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"legacy_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def store_names(store: Path) -> list[str]:
    """Artifact names published in a store."""
    root = store / "artifacts"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []
