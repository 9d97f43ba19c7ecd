"""``store.root`` must be a directory ovbuild can write (checked without leaving anything behind)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def store_problems(root: Path) -> list[str]:
    root = Path(root)
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return [f"store.root: {existing} is a file, not a directory (store.root={root})"]
    if str(Path(os.path.realpath(existing))).startswith(("/proc", "/sys")):
        return [f"store.root: {root} is on a kernel filesystem ({existing}); choose a normal directory"]
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".ovbuild-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return [
            f"store.root: cannot write to {existing} ({exc.strerror or exc}); choose a writable directory"
        ]
    return []
