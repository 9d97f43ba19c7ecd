"""Content digests and cache-key material: canonical JSON, file sha256 with a stat memo."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20
# Packages whose versions change what a stage produces; part of every cache key.
KEY_PACKAGES = ("openvino", "nncf", "optimum-intel", "transformers", "openvino-tokenizers", "ovbuild")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace, so equal values hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    """Typed config slices (mappings) hash as the dicts they were built from; anything else as text."""
    return dict(value) if isinstance(value, Mapping) else str(value)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_json(value: Any) -> str:
    return sha256_text(canonical_json(value))


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class DigestMemo:
    """Remembers file digests by (path, size, mtime, ctime, inode) so unchanged rebuilds skip re-hashing.

    The ctime is in the stamp because an mtime can be set back (``touch -r``, ``os.utime``) after
    bytes were changed in place, but a ctime cannot: any write, chmod or new hard link moves it.

    Memo records are single small files written atomically, so many processes may share
    one memo directory (as dvc does with its state database).
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def digest(self, path: str | Path) -> str:
        path = Path(path).resolve()
        if self.root is None:
            return sha256_file(path)
        st = path.stat()
        stamp = sha256_text(f"{path}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}")
        record = self.root / stamp[:2] / stamp
        try:
            return record.read_text().strip()
        except OSError:
            pass
        value = sha256_file(path)
        tmp = record.with_name(f"{record.name}.{os.getpid()}.tmp")
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(value)
            os.replace(tmp, record)
        except OSError:  # a full or read-only store: the memo is only a cache, and leaves nothing
            tmp.unlink(missing_ok=True)
        return value

    def tree(self, root: str | Path) -> dict[str, str]:
        """Digests of every file below ``root`` (or of ``root`` itself when it is a file)."""
        root = Path(root)
        if root.is_file():
            return {root.name: self.digest(root)}
        return {
            p.relative_to(root).as_posix(): self.digest(p)
            for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions
