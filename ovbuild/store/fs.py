"""Filesystem helpers shared by the cache and the artifact store."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ovbuild.errors import OvbuildError, StoreWriteError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
# Below this many free bytes a write that failed without an errno (OpenVINO's C++ streams say only
# "basic_ios::clear: iostream error") is taken to have failed for lack of space.
_NEARLY_FULL = 1 << 20


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON beside ``path`` and publish it with one ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(value, fh, indent=2, sort_keys=True, default=str)
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the store may be shared
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)  # a full disk must not leave a temp file behind
        if isinstance(exc, OSError) and not exc.filename:
            exc.filename = str(path)  # a failed write() names no file: say which one
        raise


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (entries are immutable once published), copying across devices."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        try:
            shutil.copy2(src, dst)
        except OSError as exc:
            if not exc.filename:
                exc.filename = str(dst)
            raise


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


def mount_of(path: str | Path) -> tuple[str, str]:
    """``(device, mount point)`` of the filesystem holding ``path`` (its nearest existing parent),
    from ``/proc/self/mounts``; the device number where that table is not available."""
    real = Path(os.path.realpath(path))
    while not real.exists() and real != real.parent:
        real = real.parent
    best = (f"device {os.stat(real).st_dev:#x}", "?")
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return best
    longest = -1
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        device, mount = fields[0], fields[1].replace("\\040", " ")
        inside = str(real) == mount or str(real).startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > longest:
            best, longest = (device, mount), len(mount)
    return best


def _os_error(exc: BaseException) -> OSError | None:
    """The first error in ``exc``'s cause chain that says the disk is full or read-only."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _FULL | _READ_ONLY:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _free_bytes(path: Path) -> int | None:
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def write_problem(
    exc: BaseException, path: str | Path, store: str | Path, *, guess: bool = False
) -> str | None:
    """One line saying why writing ``path`` in ``store`` failed, when the disk is full or the path
    is read-only; ``None`` for any other failure.

    Args:
        exc: the failure (its cause chain is searched for ``ENOSPC``, ``EDQUOT``, ``EROFS``, ...).
        path: what was being written, when the error does not name a file itself.
        store: the store root, named in the message.
        guess: also call it a full disk when the error carries no errno but less than 1 MiB is
            free where ``path`` lives (C++ libraries report a failed write without the reason).
    """
    found = _os_error(exc)
    where = Path(found.filename) if found is not None and found.filename else Path(path)
    if found is None:
        free = _free_bytes(Path(path)) if guess else None
        if free is None or free >= _NEARLY_FULL:
            return None
        code = errno.ENOSPC
    else:
        code = found.errno
    device, mount = mount_of(where)
    if code in _FULL:
        free = _free_bytes(where)
        left = f", {free / 1e6:.1f} MB free" if free is not None else ""
        return (
            f"out of space on {device} (mounted at {mount}{left}) writing {where}, in store {store}; "
            "free space there (`ovbuild gc` removes old versions) or use another --store, then build again"
        )
    reason = "read-only file system" if code == errno.EROFS else "permission denied"
    return f"{where}: {reason} ({device} mounted at {mount}); store {store} cannot be written"


@contextlib.contextmanager
def store_writes(store: str | Path) -> Iterator[None]:
    """Turn a full or read-only store, wherever it surfaces, into one :class:`StoreWriteError`
    naming the device, the path and the store (other errors pass through unchanged)."""
    try:
        yield
    except StoreWriteError:
        raise
    except (OSError, OvbuildError) as exc:
        problem = write_problem(exc, store, store)
        if problem is None:
            raise
        raise StoreWriteError(problem) from exc


def probe_writable(store: str | Path, size: int = 1 << 16) -> None:
    """Raise :class:`StoreWriteError` now when ``store`` cannot take a ``size``-byte write (disk
    full, read-only), before anything else (Hydra's run directory) fails there with a traceback."""
    store = Path(store)
    with store_writes(store):
        store.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=store, prefix=".tmp-probe-")
        try:
            os.write(fd, b"\0" * size)
        except OSError as exc:
            exc.filename = exc.filename or str(store)
            raise
        finally:
            os.close(fd)
            os.unlink(tmp)
