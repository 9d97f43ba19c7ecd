"""Check a whole store from content: every cache entry against its ``entry.json`` and every
artifact version against its manifest. Digests are recomputed, never taken from the stat memo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovbuild.hashing import sha256_file
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest
from ovbuild.store.artifacts import ArtifactStore
from ovbuild.store.cache import ENTRY_FILE, StageCache


def _tree_problems(folder: Path, files: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for rel, info in sorted(files.items()):
        path = folder / rel
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.stat().st_size != info["size"] or sha256_file(path) != info["sha256"]:
            problems.append(f"{path}: contents differ from the recorded sha256")
    return problems


def artifact_problems(folder: Path) -> list[str]:
    """What is wrong with one artifact directory (empty when every file matches its manifest)."""
    try:
        manifest = Manifest.read(folder)
    except ArtifactIntegrityError as exc:
        return [str(exc)]
    from ovbuild.runtime.integrity import unlisted_files

    return unlisted_files(folder, manifest.files) + _tree_problems(folder, manifest.files)


def store_problems(root: Path) -> list[str]:
    """Every damaged cache entry and artifact version under ``root``."""
    problems: list[str] = []
    for entry in StageCache(root).entries():
        try:
            record = json.loads((entry / ENTRY_FILE).read_text())
        except (OSError, ValueError) as exc:
            problems.append(f"{entry / ENTRY_FILE}: unreadable ({exc})")
            continue
        problems += _tree_problems(entry, record.get("files") or {})
    store = ArtifactStore(root)
    for name in store.names():
        for version in store.versions(name):
            problems += artifact_problems(store.root / name / str(version["version"]))
    return problems
