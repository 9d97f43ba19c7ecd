"""The content-addressed stage cache: ``<root>/cache/<stage>/<key[:2]>/<key>/``.

An entry is built in a temp dir beside its final place, its ``entry.json`` (file digests and
the stage's result) is written last, and it is published with one ``os.replace``. A per-key
file lock makes concurrent builders of one key wait and reuse the winner's entry. An entry whose
files do not match ``entry.json`` is discarded and rebuilt, never trusted. Published files are
read-only; a builder that finds its key published by another (whose lock file ``gc`` had
collected) keeps the published entry and drops its own.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from ovbuild.hashing import DigestMemo
from ovbuild.store.crashpoints import crash_point
from ovbuild.store.fs import remove_tree, write_json_atomic
from ovbuild.store.paths import protect

log = logging.getLogger(__name__)
ENTRY_FILE = "entry.json"
#: The folder of an entry that flows on to later entries and into the artifact, besides its IR.
ASSETS = "assets"


@dataclass(frozen=True)
class CacheEntry:
    stage: str
    key: str
    path: Path
    result: dict[str, Any]
    #: ``{relative path: {"size", "sha256"}}`` as recorded when the entry was built.
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def file(self, name: str) -> Path:
        return self.path / name


class StageCache:
    """Stage entries under ``<store_root>/cache``."""

    def __init__(self, store_root: Path) -> None:
        self.root = Path(store_root) / "cache"
        self.memo = DigestMemo(self.root / "_digests")

    def entry_dir(self, stage: str, key: str) -> Path:
        return self.root / stage / key[:2] / key

    def _lock(self, stage: str, key: str) -> FileLock:
        lock_dir = self.root / "_locks"
        lock_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(lock_dir / f"{stage}-{key}.lock"))

    def lookup(self, stage: str, key: str) -> CacheEntry | None:
        """The verified entry for ``key``, or None; a corrupt entry is removed."""
        path = self.entry_dir(stage, key)
        try:
            record = json.loads((path / ENTRY_FILE).read_text())
        except (OSError, ValueError):
            if path.exists():
                log.warning("discarding cache entry %s: unreadable %s", path, ENTRY_FILE)
                remove_tree(path)
            return None
        problem = self._verify(path, record.get("files", {}))
        if problem:
            log.warning("discarding corrupt cache entry %s: %s", path, problem)
            remove_tree(path)
            return None
        return CacheEntry(stage, key, path, record.get("result", {}), record.get("files", {}))

    def _verify(self, path: Path, files: dict[str, dict[str, Any]]) -> str | None:
        for rel, info in files.items():
            target = path / rel
            try:
                if target.stat().st_size != info["size"]:
                    return f"{rel}: size changed"
            except OSError:
                return f"{rel}: missing"
            if self.memo.digest(target) != info["sha256"]:
                return f"{rel}: sha256 mismatch"
        return None

    def build(
        self, stage: str, key: str, produce: Callable[[Path], dict[str, Any]]
    ) -> tuple[CacheEntry, bool]:
        """The entry for ``key``, producing it with ``produce(tmp_dir) -> result`` if absent.

        Returns the entry and whether this call built it (False: another builder had, or has
        just, published it).
        """
        with self._lock(stage, key):
            found = self.lookup(stage, key)
            if found is not None:
                return found, False
            final = self.entry_dir(stage, key)
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".tmp-{key[:12]}-"))
            crash_point("cache.tmp_created")
            started = time.perf_counter()
            try:
                result = produce(tmp)
                crash_point("cache.produced")
                protect(tmp)  # before hashing: a chmod afterwards would change ctime and miss the memo
                files = {
                    p.relative_to(tmp).as_posix(): {"size": p.stat().st_size, "sha256": self.memo.digest(p)}
                    for p in sorted(tmp.rglob("*"))
                    if p.is_file()
                }
                seconds = time.perf_counter() - started
                record = {"stage": stage, "key": key, "files": files, "result": result, "seconds": seconds}
                write_json_atomic(tmp / ENTRY_FILE, record)
                protect(tmp)
                crash_point("cache.recorded")
                published = self._publish(tmp, final, stage, key)
            except BaseException:
                remove_tree(tmp)
                if final.parent.exists() and not any(final.parent.iterdir()):
                    final.parent.rmdir()
                raise
            if published is not None:
                return published, False
            crash_point("cache.published")
            self._record_build(stage, key, seconds)
            return CacheEntry(stage, key, final, result, files), True

    def _publish(self, tmp: Path, final: Path, stage: str, key: str) -> CacheEntry | None:
        """Rename ``tmp`` into place; if another builder already published ``key``, keep theirs
        (returned) and drop ``tmp``."""
        try:
            os.replace(tmp, final)
        except OSError:
            found = self.lookup(stage, key)
            if found is None:
                raise
            remove_tree(tmp)
            return found
        return None

    def _record_build(self, stage: str, key: str, seconds: float) -> None:
        """Append one line per build to ``builds.jsonl``: how sweeps prove work was shared."""
        line = json.dumps(
            {
                "stage": stage,
                "key": key,
                "seconds": round(seconds, 3),
                "time": time.time(),
                "pid": os.getpid(),
            }
        )
        with open(self.root / "builds.jsonl", "a") as fh:
            fh.write(line + "\n")

    def builds(self) -> list[dict[str, Any]]:
        try:
            lines = (self.root / "builds.jsonl").read_text().splitlines()
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    def entries(self) -> list[Path]:
        if not self.root.exists():
            return []
        return [
            p for p in self.root.glob("*/??/*") if not p.name.startswith(".") and (p / ENTRY_FILE).exists()
        ]
