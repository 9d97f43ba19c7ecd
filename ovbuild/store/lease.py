"""Leases: how running builds and ``ovbuild gc`` share one store safely.

A build registers a lease (a small JSON file listing the artifact name and every stage key it
will read or write) and holds an ``flock`` on it until it ends; a killed build's lock goes with
its process, so a lease whose lock can be taken is dead. Registration and ``gc``'s whole scan
happen under one exclusive store lock, so ``gc`` either sees a build's lease or the build has
not yet looked at anything ``gc`` could delete. ``gc`` keeps whatever a live lease names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

LEASES = "leases"
STORE_LOCK = ".store.lock"


def store_lock(root: Path) -> FileLock:
    """The exclusive lock taken briefly by builds (to register a lease) and by ``gc`` (to collect)."""
    Path(root).mkdir(parents=True, exist_ok=True)
    return FileLock(str(Path(root) / STORE_LOCK))


@dataclass
class LiveLeases:
    names: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)

    def holds_key_prefix(self, prefix: str) -> bool:
        return any(key.startswith(prefix) for key in self.keys)


@contextlib.contextmanager
def lease(root: Path, name: str, keys: Iterable[str]) -> Iterator[Path]:
    """Hold a lease on ``name`` and ``keys`` for the duration of the ``with`` block."""
    folder = Path(root) / LEASES
    with store_lock(root):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.json"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, json.dumps({"pid": os.getpid(), "name": name, "keys": sorted(keys)}).encode())
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def live_leases(root: Path) -> LiveLeases:
    """What running builds hold; dead leases (their process is gone) are removed.

    Call it with :func:`store_lock` held, so no lease appears while the caller acts on the answer.
    """
    live = LiveLeases()
    folder = Path(root) / LEASES
    if not folder.is_dir():
        return live
    for path in folder.glob("*.json"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                record = json.loads(path.read_text() or "{}")
                live.names.add(record.get("name", ""))
                live.keys.update(record.get("keys", []))
                continue
            path.unlink(missing_ok=True)  # nobody holds it: its build is gone
        except (OSError, ValueError):
            continue
        finally:
            os.close(fd)
    return live
