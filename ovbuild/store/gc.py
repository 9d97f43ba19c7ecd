"""``ovbuild gc``: drop old versions, unreferenced cache entries and the leftovers of killed builds.

It holds the exclusive store lock for its whole scan and keeps everything a running build's
lease names (see :mod:`ovbuild.store.lease`), so it is safe beside running builds. Leftovers
(temp and trash directories, idle per-key lock files) go only once older than ``grace`` seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest
from ovbuild.store.artifacts import MANIFEST, ArtifactStore
from ovbuild.store.cache import StageCache
from ovbuild.store.fs import remove_tree, store_writes
from ovbuild.store.lease import LiveLeases, live_leases, store_lock
from ovbuild.store.statistics import model_key, statistics_dirs

DEFAULT_GRACE = 3600.0


@dataclass
class Collected:
    versions: int = 0
    entries: int = 0
    leftovers: int = 0
    locks: int = 0
    statistics: int = 0

    def summary(self, dry_run: bool) -> str:
        verb = "would remove" if dry_run else "removed"
        return (
            f"{verb} {self.versions} artifact versions, {self.entries} cache entries, "
            f"{self.statistics} calibration statistics, "
            f"{self.leftovers} leftover temp dirs and {self.locks} idle lock files"
        )


def collect(root: Path, keep: int = 3, grace: float = DEFAULT_GRACE, dry_run: bool = False) -> Collected:
    """Keep the newest ``keep`` versions per name and what they (or running builds) use."""
    root = Path(root)
    done = Collected()
    with store_writes(root), store_lock(root):
        live = live_leases(root)
        referenced = _collect_versions(ArtifactStore(root), keep, live, done, dry_run)
        cache = StageCache(root)
        for entry in cache.entries():
            if entry.name not in referenced and entry.name not in live.keys:
                done.entries += 1
                if not dry_run:
                    remove_tree(entry)
        _collect_statistics(root, {p.name for p in cache.entries()} | live.keys, done, dry_run)
        cutoff = time.time() - grace
        for leftover in _leftovers(root):
            if _older(leftover, cutoff) and not _claimed(root, leftover, live):
                done.leftovers += 1
                if not dry_run:
                    remove_tree(leftover)
        for lock in sorted((cache.root / "_locks").glob("*.lock")):
            key = lock.stem.rpartition("-")[2]
            if _older(lock, cutoff) and key not in live.keys and _idle(lock):
                done.locks += 1
                if not dry_run:
                    lock.unlink(missing_ok=True)
    return done


def _collect_versions(
    store: ArtifactStore, keep: int, live: LiveLeases, done: Collected, dry_run: bool
) -> set[str]:
    referenced: set[str] = set()
    for name in store.names():
        versions = sorted(store.versions(name), key=lambda v: v["version"], reverse=True)
        for index, version in enumerate(versions):
            if index >= keep and version["key"] not in live.keys:
                done.versions += 1
                if not dry_run:
                    store.remove_version(name, version["version"])
                continue
            try:
                manifest = Manifest.read(store.root / name / str(version["version"]))
            except ArtifactIntegrityError:
                continue
            referenced |= set(manifest.stage_keys.values())
            referenced.add(version["key"])
    return referenced


def _collect_statistics(root: Path, kept: set[str], done: Collected, dry_run: bool) -> None:
    """Calibration statistics go with the model entry they were collected on."""
    for path in statistics_dirs(root):
        if model_key(path) not in kept:
            done.statistics += 1
            if not dry_run:
                remove_tree(path)


def _leftovers(root: Path) -> list[Path]:
    """Temp and trash directories that killed builds, publishes or removals left behind."""
    found: list[Path] = []
    patterns = ("cache/*/??/.tmp-*", "cache/*/??/.trash-*", "artifacts/*/.tmp-*", "artifacts/*/.trash-*")
    patterns += ("statistics/??/*/*/.tmp-*", "statistics/??/.trash-*", "statistics/??/*/*/.trash-*")
    patterns += ("cache/_digests/??/*.tmp", "artifacts/*/.*.tmp")  # killed memo and index writes
    for pattern in patterns:
        found += root.glob(pattern)
    found += (p for p in root.glob("artifacts/*/*") if p.name.isdigit() and not (p / MANIFEST).exists())
    return sorted(found)


def _claimed(root: Path, path: Path, live: LiveLeases) -> bool:
    """Whether a running build may still be writing ``path``."""
    if path.relative_to(root).parts[0] == "cache":  # cache/<stage>/<xx>/.tmp-<key[:12]>-<random>
        prefix = path.name.split("-")[1] if path.name.startswith(".tmp-") else ""
        return bool(prefix) and live.holds_key_prefix(prefix)
    return path.parent.name in live.names


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.lstat().st_mtime < cutoff
    except OSError:
        return False


def _idle(lock: Path) -> bool:
    try:
        with FileLock(str(lock), timeout=0):
            return True
    except Timeout:
        return False
