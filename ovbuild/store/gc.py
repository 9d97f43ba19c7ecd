"""``ovbuild gc``: drop old versions, unreferenced cache entries and the leftovers of killed builds.

Kept, whatever ``keep`` says: the newest ``keep`` versions of every name, the newest version of
every variant of a name (its ``latest``: ``ovbuild show NAME@VARIANT``), every version a sweep
report links to (``<store>/sweeps/*/variants.json``) and the cache entries of gate-missing
candidates it shows, and everything a running build holds.

It holds the exclusive store lock for its whole scan and keeps everything a running build's
lease names (see :mod:`ovbuild.store.lease`), so it is safe beside running builds. Leftovers
(temp and trash directories, idle per-key lock files) go only once older than ``grace`` seconds.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from ovbuild.errors import ArtifactError
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
    #: Every path removed (or, on a dry run, that would be), in the order it was found.
    paths: list[Path] = field(default_factory=list)

    def summary(self, dry_run: bool) -> str:
        verb = "would remove" if dry_run else "removed"
        return (
            f"{verb} {self.versions} artifact versions, {self.entries} cache entries, "
            f"{self.statistics} calibration statistics, "
            f"{self.leftovers} leftover temp dirs and {self.locks} idle lock files"
        )


def check_arguments(keep: object, grace: object) -> None:
    """``keep`` a whole number >= 1 and ``grace`` a finite number of seconds >= 0.

    Raises:
        ArtifactError: naming the option; nothing has been removed.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ArtifactError(f"--keep: {keep!r} must be a whole number >= 1 (versions kept per name)")
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not 0 <= grace < math.inf:
        raise ArtifactError(f"--grace: {grace!r} must be a finite number of seconds >= 0")


def collect(root: Path, keep: int = 3, grace: float = DEFAULT_GRACE, dry_run: bool = False) -> Collected:
    """Remove what nothing keeps (see the module docstring); with ``dry_run`` only list it.

    Raises:
        ArtifactError: ``keep`` < 1 or ``grace`` < 0 (see :func:`check_arguments`).
    """
    check_arguments(keep, grace)
    root = Path(root)
    done = Collected()

    def drop(path: Path, remove: Callable[[], object]) -> None:
        done.paths.append(path)
        if not dry_run:
            remove()

    with store_writes(root), store_lock(root):
        live = live_leases(root)
        pinned, candidates = sweep_references(root)
        referenced = _collect_versions(ArtifactStore(root), keep, live, pinned, done, drop) | candidates
        cache = StageCache(root)
        for entry in cache.entries():
            if entry.name not in referenced and entry.name not in live.keys:
                done.entries += 1
                drop(entry, lambda entry=entry: remove_tree(entry))
        kept = {p.name for p in cache.entries() if p.name in referenced or p.name in live.keys}
        _collect_statistics(root, kept | live.keys, done, drop)
        cutoff = time.time() - grace
        for leftover in _leftovers(root):
            if _older(leftover, cutoff) and not _claimed(root, leftover, live):
                done.leftovers += 1
                drop(leftover, lambda leftover=leftover: remove_tree(leftover))
        for lock in sorted((cache.root / "_locks").glob("*.lock")):
            key = lock.stem.rpartition("-")[2]
            if _older(lock, cutoff) and key not in live.keys and _idle(lock):
                done.locks += 1
                drop(lock, lambda lock=lock: lock.unlink(missing_ok=True))
    return done


def sweep_references(root: Path) -> tuple[set[Path], set[str]]:
    """What sweep reports show: artifact version directories, and cache keys of gate-missing
    candidates (never published, linked from the report)."""
    versions: set[Path] = set()
    candidates: set[str] = set()
    for saved in sorted(Path(root).glob("sweeps/*/variants.json")):
        try:
            records = json.loads(saved.read_text()).get("variants") or []
        except (OSError, ValueError, AttributeError):
            continue
        for record in records if isinstance(records, list) else []:
            if not isinstance(record, dict):
                continue
            if isinstance(record.get("path"), str):
                versions.add(Path(os.path.realpath(record["path"])))
            candidate = (
                (record.get("gate") or {}).get("candidate") if isinstance(record.get("gate"), dict) else None
            )
            if isinstance(candidate, str):
                candidates.add(Path(candidate).name)
    return versions, candidates


def _variant(path: Path) -> str | None:
    try:
        label = Manifest.read(path).variant.get("label")
    except ArtifactIntegrityError:
        return None
    return str(label) if label else None


def _collect_versions(
    store: ArtifactStore,
    keep: int,
    live: LiveLeases,
    pinned: set[Path],
    done: Collected,
    drop: Callable[[Path, Callable[[], object]], None],
) -> set[str]:
    referenced: set[str] = set()
    for name in store.names():
        versions = sorted(store.versions(name), key=lambda v: v["version"], reverse=True)
        newest_of_variant: set[str] = set()
        for index, version in enumerate(versions):
            path = store.root / name / str(version["version"])
            variant = _variant(path)
            kept = (
                index < keep
                or version["key"] in live.keys
                or Path(os.path.realpath(path)) in pinned
                or (variant is not None and variant not in newest_of_variant)
            )
            if variant is not None:
                newest_of_variant.add(variant)
            if not kept:
                done.versions += 1
                number = version["version"]
                drop(path, lambda name=name, number=number: store.remove_version(name, number))
                continue
            try:
                manifest = Manifest.read(path)
            except ArtifactIntegrityError:
                continue
            referenced |= set(manifest.stage_keys.values())
            referenced.add(version["key"])
    return referenced


def _collect_statistics(root: Path, kept: set[str], done: Collected, drop: Callable) -> None:
    """Calibration statistics go with the model entry they were collected on."""
    for path in statistics_dirs(root):
        if model_key(path) not in kept:
            done.statistics += 1
            drop(path, lambda path=path: remove_tree(path))


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
