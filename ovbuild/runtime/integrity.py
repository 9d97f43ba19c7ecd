"""Artifact integrity: every file the manifest lists must exist and match its recorded sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class ArtifactIntegrityError(RuntimeError):
    """A file of the artifact is missing or does not match the digest its manifest records."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_artifact(artifact_dir: Path, manifest: dict[str, Any]) -> None:
    """Check every file the manifest lists; raise naming the first one that does not match.

    Files are hashed in parallel threads (hashlib releases the GIL), which halves the check on
    two cores for artifacts carrying both weights and a compiled blob.
    """
    from concurrent.futures import ThreadPoolExecutor

    def problem(item: tuple[str, dict[str, Any]]) -> str | None:
        rel, info = item
        path = artifact_dir / rel
        if not path.is_file():
            return f"{path}: missing from the artifact"
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            return f"{path}: contents do not match the manifest (tampered or truncated)"
        return None

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for found in pool.map(problem, sorted(manifest["files"].items())):
            if found:
                raise ArtifactIntegrityError(found)
