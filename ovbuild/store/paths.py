"""Names and paths the store writes: artifact names are checked, and every path is proven to
resolve inside the store root before anything is written there."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ovbuild.errors import ArtifactError

# Conservative on purpose: a name becomes a directory, a URL path and a shell word.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_NAME_LENGTH = 64


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name an artifact, or None when it can."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
    if not NAME_PATTERN.fullmatch(name) or ".." in name:
        return (
            f"{name!r} is not a valid artifact name: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (no '/', '..' or whitespace)"
        )
    return None


def check_name(name: object) -> str:
    """``name`` itself when it is a valid artifact name.

    Raises:
        ArtifactError: naming the ``name`` key and why it is refused.
    """
    problem = name_problem(name)
    if problem:
        raise ArtifactError(f"name: {problem}")
    return str(name)


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved, after proving it lies inside ``root`` (symlinks followed).

    Raises:
        ArtifactError: the path escapes the root.
    """
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real != real_root and real_root not in real.parents:
        raise ArtifactError(f"refusing to write {path}: it resolves to {real}, outside the store {real_root}")
    return real


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def protect(tree: Path) -> None:
    """Make every file below ``tree`` read-only (as dvc protects its cache).

    Files already read-only are left alone: a needless chmod would change their ctime, which
    the digest memo treats as a change of content.
    """
    for path in tree.rglob("*"):
        if path.is_file() and not path.is_symlink():
            mode = path.stat().st_mode
            if mode & _WRITE_BITS:
                path.chmod(stat.S_IMODE(mode) & ~_WRITE_BITS)
