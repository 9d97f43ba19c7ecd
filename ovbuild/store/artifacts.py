"""Versioned artifacts: ``<root>/artifacts/<name>/<n>/`` plus ``index.json`` and ``latest``.

A version number grows only when the final content key changes; publishing a key the store
already holds returns the existing version.

The version directories are the truth: a version exists once its directory, built in a temp dir
beside it, has been renamed into place (one atomic step), and its key is read from its own
manifest. ``index.json`` and the ``latest`` symlink are conveniences derived from the
directories and rewritten after every publish, so a crash between the rename and their update
leaves them stale, never wrong: the next publish (or :meth:`ArtifactStore.repair`) rewrites them.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from ovbuild.errors import ArtifactError
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest
from ovbuild.store.crashpoints import crash_point
from ovbuild.store.fs import link_tree, remove_tree, write_json_atomic
from ovbuild.store.paths import check_name, inside, name_problem, protect

INDEX_FILE = "index.json"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Published:
    name: str
    version: int
    path: Path
    key: str
    new: bool


class ArtifactStore:
    def __init__(self, store_root: Path) -> None:
        self.store_root = Path(store_root)
        self.root = self.store_root / "artifacts"

    def name_dir(self, name: str) -> Path:
        """``<root>/artifacts/<name>``, after checking the name and that the path stays inside."""
        check_name(name)
        path = self.root / name
        inside(self.store_root, path)
        return path

    def _legacy_index(self, name: str) -> dict[int, dict[str, Any]]:
        try:
            data = json.loads((self.root / name / INDEX_FILE).read_text())
            return {int(v["version"]): v for v in data.get("versions", [])}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def versions(self, name: str) -> list[dict[str, Any]]:
        """Every complete version of ``name``, oldest first, read from the version directories."""
        folder = self.name_dir(name)
        if not folder.is_dir():
            return []
        legacy = self._legacy_index(name)
        found = []
        for path in folder.iterdir():
            if not path.name.isdigit() or path.is_symlink():
                continue
            try:
                manifest = Manifest.read(path)
                created = (path / MANIFEST).stat().st_mtime
            except (OSError, ArtifactIntegrityError):
                continue  # not a published version (half-removed by hand, or corrupt)
            version = int(path.name)
            key = manifest.stage_keys.get("emit") or legacy.get(version, {}).get("key")
            if key:
                digest = manifest.recipe_digest or legacy.get(version, {}).get("recipe_digest")
                found.append({"version": version, "key": key, "recipe_digest": digest, "created": created})
        return sorted(found, key=lambda v: v["version"])

    def find_key(self, name: str, key: str) -> Published | None:
        for entry in self.versions(name):
            if entry["key"] == key:
                return Published(name, entry["version"], self.root / name / str(entry["version"]), key, False)
        return None

    def _lock(self, name: str) -> FileLock:
        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / f".{name}.lock"))

    def publish(self, name: str, key: str, source: Path, recipe_digest: str = "") -> Published:
        """Publish ``source`` (a finished emit entry) as the next version of ``name``, or reuse.

        ``recipe_digest`` is kept for callers of the older signature; the manifest records it.
        """
        folder = self.name_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock(name):
            found = self.find_key(name, key)
            if found is not None:
                self.repair(name)
                return found
            # Numbered directories that are not complete versions still hold their number.
            taken = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
            version = max(taken, default=0) + 1
            target = folder / str(version)
            tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f".tmp-{version}-"))
            tmp.chmod(0o755)  # mkdtemp makes it 0700; the store may be shared
            crash_point("artifact.tmp_created")
            try:
                link_tree(source, tmp)
                (tmp / "entry.json").unlink(missing_ok=True)
                protect(tmp)
                crash_point("artifact.linked")
                os.replace(tmp, target)
            except BaseException:
                remove_tree(tmp)
                raise
            crash_point("artifact.published")
            self.repair(name)
            return Published(name, version, target, key, True)

    def heal(self, name: str) -> None:
        """Rewrite ``index.json`` and ``latest`` if a crash left them behind the version directories."""
        versions = self.versions(name)
        folder = self.root / name
        try:
            indexed = json.loads((folder / INDEX_FILE).read_text()).get("versions")
            latest = os.readlink(folder / "latest")
        except (OSError, ValueError, AttributeError):
            indexed, latest = None, None
        if indexed != versions or (versions and latest != str(versions[-1]["version"])):
            with self._lock(name):
                self.repair(name)

    def repair(self, name: str) -> None:
        """Rewrite ``index.json`` and ``latest`` from the version directories (call under the lock)."""
        folder = self.root / name
        versions = self.versions(name)
        write_json_atomic(folder / INDEX_FILE, {"name": name, "versions": versions})
        crash_point("artifact.indexed")
        link = folder / "latest"
        if versions:
            tmp = folder / f".latest-{os.getpid()}"
            tmp.unlink(missing_ok=True)
            os.symlink(str(versions[-1]["version"]), tmp)
            os.replace(tmp, link)
        else:
            link.unlink(missing_ok=True)
        crash_point("artifact.latest")

    def names(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and name_problem(p.name) is None and self.versions(p.name)
        )

    def resolve(self, ref: str) -> Path:
        """An artifact directory from ``name``, ``name/<n>``, ``name/latest`` or a path."""
        as_path = Path(ref)
        if (as_path / MANIFEST).is_file():
            return as_path.resolve()
        name, _, version = ref.partition("/")
        known = ", ".join(self.names()) or "none"
        missing = ArtifactError(f"no artifact {ref!r} in {self.root} (known names: {known})")
        if name_problem(name) is not None or not (version in ("", "latest") or version.isdigit()):
            raise missing
        versions = self.versions(name)
        if not versions:
            raise missing
        number = versions[-1]["version"] if version in ("", "latest") else int(version)
        if number not in {v["version"] for v in versions}:
            raise missing
        return (self.root / name / str(number)).resolve()

    def remove_version(self, name: str, version: int) -> None:
        with self._lock(name):
            path = self.name_dir(name) / str(version)
            remove_tree(path)  # renamed aside first: no half-deleted version is ever visible
            self.repair(name)
            if not self.versions(name):
                (self.root / name / INDEX_FILE).unlink(missing_ok=True)
