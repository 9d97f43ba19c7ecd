"""Versioned artifacts: ``<root>/artifacts/<name>/<n>/`` plus ``index.json`` and ``latest``.

A version number grows only when the final content key changes; publishing a key the index
already holds returns the existing version.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from ovbuild.errors import ArtifactError
from ovbuild.store.fs import link_tree, write_json_atomic

INDEX_FILE = "index.json"


@dataclass(frozen=True)
class Published:
    name: str
    version: int
    path: Path
    key: str
    new: bool


class ArtifactStore:
    def __init__(self, store_root: Path) -> None:
        self.root = Path(store_root) / "artifacts"

    def _index(self, name: str) -> dict[str, Any]:
        try:
            return json.loads((self.root / name / INDEX_FILE).read_text())
        except (OSError, ValueError):
            return {"name": name, "versions": []}

    def find_key(self, name: str, key: str) -> Published | None:
        for entry in self._index(name)["versions"]:
            path = self.root / name / str(entry["version"])
            if entry["key"] == key and (path / "manifest.json").exists():
                return Published(name, entry["version"], path, key, False)
        return None

    def publish(self, name: str, key: str, source: Path, recipe_digest: str) -> Published:
        """Publish ``source`` (a finished emit entry) as the next version of ``name``, or reuse."""
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / f".{name}.lock")):
            found = self.find_key(name, key)
            if found is not None:
                return found
            index = self._index(name)
            version = max((v["version"] for v in index["versions"]), default=0) + 1
            target = self.root / name / str(version)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".tmp-{version}-"))
            try:
                link_tree(source, tmp)
                (tmp / "entry.json").unlink(missing_ok=True)
                os.replace(tmp, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            index["versions"].append(
                {"version": version, "key": key, "recipe_digest": recipe_digest, "created": time.time()}
            )
            write_json_atomic(self.root / name / INDEX_FILE, index)
            self._point_latest(name, version)
            return Published(name, version, target, key, True)

    def _point_latest(self, name: str, version: int) -> None:
        link = self.root / name / "latest"
        tmp = self.root / name / f".latest-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(str(version), tmp)
        os.replace(tmp, link)

    def names(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / INDEX_FILE).exists())

    def versions(self, name: str) -> list[dict[str, Any]]:
        return self._index(name)["versions"]

    def resolve(self, ref: str) -> Path:
        """An artifact directory from ``name``, ``name/<n>``, ``name/latest`` or a path."""
        as_path = Path(ref)
        if (as_path / "manifest.json").exists():
            return as_path.resolve()
        name, _, version = ref.partition("/")
        version = version or "latest"
        path = self.root / name / version
        if not (path / "manifest.json").exists():
            known = ", ".join(self.names()) or "none"
            raise ArtifactError(f"no artifact {ref!r} in {self.root} (known names: {known})")
        return path.resolve()

    def remove_version(self, name: str, version: int) -> None:
        with FileLock(str(self.root / f".{name}.lock")):
            index = self._index(name)
            index["versions"] = [v for v in index["versions"] if v["version"] != version]
            write_json_atomic(self.root / name / INDEX_FILE, index)
            shutil.rmtree(self.root / name / str(version), ignore_errors=True)
            if index["versions"]:
                self._point_latest(name, max(v["version"] for v in index["versions"]))
            else:
                (self.root / name / "latest").unlink(missing_ok=True)
