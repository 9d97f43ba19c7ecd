"""Bounds on a manifest, checked before anything acts on it: a hostile ``manifest.json`` is refused
in milliseconds with one line, never a ``RecursionError``, a ``KeyError`` or a minute of hashing.

A manifest is a regular file of at most :data:`MAX_BYTES` (read without following a symlink or
blocking on a FIFO), nested at most :data:`MAX_DEPTH` deep, listing at most :data:`MAX_FILES`
files, each with an integer ``size`` and a sha256; the tables the loader walks (ports, blobs,
sub-models) have the layout it expects. :class:`~.manifest.Manifest` applies these on every read.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from .integrity import MANIFEST, ArtifactIntegrityError

#: Limits far above any real artifact's (Whisper tiny.en with its genai layout: 58 files, depth 7, 19 KB).
MAX_BYTES = 32 << 20
MAX_DEPTH = 64
MAX_FILES = 10_000
MAX_PORTS = 1_000
_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_bounded(artifact_dir: str | Path) -> Any:
    """The parsed JSON of ``artifact_dir/manifest.json``, read within the size and depth limits.

    Raises:
        ArtifactIntegrityError: the file is missing, not a regular file, unreadable, not JSON, or
            over a size or depth limit (naming it).
    """
    path = Path(artifact_dir) / MANIFEST
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)  # never blocks on a FIFO, never follows a symlink
    except FileNotFoundError:
        raise ArtifactIntegrityError(f"{path}: missing; {artifact_dir} is not an ovbuild artifact") from None
    except OSError as exc:
        why = "a symlink; refused" if os.path.islink(path) else f"unreadable ({exc.strerror})"
        raise ArtifactIntegrityError(f"{path}: {why}") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ArtifactIntegrityError(f"{path}: not a regular file")
    with open(fd, "rb") as fh:
        if info.st_size > MAX_BYTES:
            raise ArtifactIntegrityError(
                f"{path}: {info.st_size} bytes; a manifest is at most {MAX_BYTES} bytes"
            )
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ArtifactIntegrityError(f"{path}: larger than {MAX_BYTES} bytes")
    try:
        manifest = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ArtifactIntegrityError(
            f"{path}: unreadable, not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc
    except RecursionError:
        raise ArtifactIntegrityError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise ArtifactIntegrityError(f"{path}: not valid JSON ({exc})") from exc
    if depth(manifest) > MAX_DEPTH:
        raise ArtifactIntegrityError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    return manifest


def depth(value: Any) -> int:
    """How deep JSON containers nest in ``value`` (iteratively: no recursion to exhaust); stops
    counting once past :data:`MAX_DEPTH`."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        node, level = stack.pop()
        deepest = max(deepest, level)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def table_problem(data: dict[str, Any]) -> str | None:
    """The first table of ``data`` (a manifest whose top-level fields have their types) that the
    loader could not walk: ``files`` must map at most :data:`MAX_FILES` paths to ``{"size": int
    >= 0, "sha256": 64 hex}``; ``inputs``/``outputs`` must be objects with a string ``name``;
    every blob an object; ``stages.convert.models`` an object."""
    files = data["files"]
    if len(files) > MAX_FILES:
        return f"'files' lists {len(files)} entries; at most {MAX_FILES}"
    for rel, info in files.items():
        if not isinstance(info, dict):
            return f"files[{rel!r}] is not an object"
        size = info.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return f"files[{rel!r}].size is missing or not an integer >= 0"
        if not isinstance(info.get("sha256"), str) or not _SHA256.fullmatch(info["sha256"]):
            return f"files[{rel!r}] has no sha256 (64 hex digits)"
    for key in ("inputs", "outputs"):
        if len(data[key]) > MAX_PORTS:
            return f"{key!r} lists {len(data[key])} ports; at most {MAX_PORTS}"
        for i, port in enumerate(data[key]):
            if not isinstance(port, dict) or not isinstance(port.get("name"), str):
                return f"{key}[{i}] is not an object with a string 'name'"
    for device, blob in (data.get("blobs") or {}).items():
        if not isinstance(blob, dict):
            return f"blobs.{device} is not an object"
    convert = (data.get("stages") or {}).get("convert")
    if convert is not None and not isinstance(convert, dict):
        return "stages.convert is not an object"
    if not isinstance((convert or {}).get("models") or {}, dict):
        return "stages.convert.models is not an object"
    return None
