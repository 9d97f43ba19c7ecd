"""Artifact integrity: the files of an artifact are exactly those its manifest lists, each a regular
file matching its recorded sha256.

A file the manifest does not list is refused wherever it is (a planted module, a ``.pth`` file,
bytecode in a ``__pycache__``), with two exceptions: the manifest itself and ``signature.sig``,
and the bytecode Python writes for ``loader.py`` when the loader is imported the ordinary way,
accepted only when it is exactly what compiling the listed ``loader.py`` gives.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SIGNATURE = "signature.sig"
LOADER = "loader.py"
#: Files an artifact holds that its manifest cannot list (written after it, or verifying it).
UNLISTED = frozenset({MANIFEST, SIGNATURE})
_LOADER_PYC = re.compile(r"__pycache__/loader\.(?P<tag>[\w-]+?)(?:\.opt-(?P<opt>[12]))?\.pyc")
_MAX_PYC_BYTES = 1 << 20  # a loader's bytecode is ~10 KB


class ArtifactIntegrityError(RuntimeError):
    """A file of the artifact is missing or does not match the digest its manifest records."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _is_loader_bytecode(artifact_dir: Path, rel: str) -> bool:
    """``rel`` is the ``__pycache__`` entry Python wrote for the listed ``loader.py``: same magic
    number and the very code object compiling ``loader.py`` gives (the file names are compared
    by code, not trusted by name: a planted one differs in its code)."""
    import importlib.util
    import marshal

    found = _LOADER_PYC.fullmatch(rel)
    if not found or found["tag"] != sys.implementation.cache_tag:
        return False
    path = artifact_dir / rel
    if not stat.S_ISREG(path.lstat().st_mode) or path.stat().st_size > _MAX_PYC_BYTES:
        return False
    data = path.read_bytes()
    if data[:4] != importlib.util.MAGIC_NUMBER:
        return False
    try:
        code = marshal.loads(data[16:])
        source = (artifact_dir / LOADER).read_bytes()
        expected = compile(source, LOADER, "exec", dont_inherit=True, optimize=int(found["opt"] or 0))
    except (ValueError, EOFError, TypeError, SyntaxError, OSError):
        return False
    return code == expected


def unlisted_files(artifact_dir: Path, listed: Any) -> list[str]:
    """Problems with what ``artifact_dir`` holds besides the ``listed`` files: every file the
    manifest does not list, every symlink, every special file (FIFO, device, socket)."""
    problems = []
    root = Path(artifact_dir)
    for parent, dirs, files in os.walk(root):
        for entry in sorted(dirs) + sorted(files):
            path = Path(parent) / entry
            rel = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                problems.append(f"{path}: a symlink; an artifact holds regular files only")
            elif stat.S_ISDIR(mode):
                continue
            elif not stat.S_ISREG(mode):
                problems.append(f"{path}: not a regular file (a FIFO, device or socket)")
            elif rel not in listed and rel not in UNLISTED and not _is_loader_bytecode(root, rel):
                problems.append(f"{path}: not listed in the manifest (added after the build); refused")
    return problems


def verify_artifact(artifact_dir: Path, files: dict[str, dict[str, Any]]) -> None:
    """Check every file the manifest lists (``files``: path -> size, sha256), and that nothing else
    is there; raise naming the first file that does not match.

    Files are hashed in parallel threads (hashlib releases the GIL), which halves the check on
    two cores for artifacts carrying both weights and a compiled blob.
    """
    from concurrent.futures import ThreadPoolExecutor

    extra = unlisted_files(artifact_dir, files)
    if extra:
        raise ArtifactIntegrityError(extra[0])

    def problem(item: tuple[str, dict[str, Any]]) -> str | None:
        rel, info = item
        path = artifact_dir / rel
        if not path.is_file():
            return f"{path}: missing from the artifact"
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            return f"{path}: contents do not match the manifest (tampered or truncated)"
        return None

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for found in pool.map(problem, sorted(files.items())):
            if found:
                raise ArtifactIntegrityError(found)
