"""Filesystem helpers shared by the cache and the artifact store."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON beside ``path`` and publish it with one ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(value, fh, indent=2, sort_keys=True, default=str)
        fh.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the store may be shared
    os.replace(tmp, path)


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (entries are immutable once published), copying across devices."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def link_tree(src: Path, dst: Path) -> None:
    for path in src.rglob("*"):
        if path.is_file():
            link_or_copy(path, dst / path.relative_to(src))


def remove_tree(path: Path) -> None:
    """Remove a directory by first renaming it aside, so readers never see it half-deleted; a
    leftover temp file (a killed signing's, a memo record's) is simply unlinked."""
    if not path.is_dir() or path.is_symlink():
        path.unlink(missing_ok=True)
        return
    trash = path.with_name(f".trash-{path.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(path, trash)
    except OSError:
        trash = path
    shutil.rmtree(trash, ignore_errors=True)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
