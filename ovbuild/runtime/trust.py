"""The manifest is untrusted input: it is read defensively and nothing it says may reach outside
the artifact.

A copied or downloaded artifact can carry a hand-edited ``manifest.json``. Before the loader acts
on it: it must be a JSON object with the fields the loader uses; every path it names (model,
listed files, blobs, sub-models) must resolve inside the artifact directory; and OpenVINO
properties that write files are refused, except ``CACHE_DIR`` pointing inside the artifact.
Its size, depth and tables are bounded first, by :class:`~.manifest.Manifest` (see
:mod:`.manifest_schema`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .integrity import MANIFEST
from .manifest import Manifest, ManifestError

# OpenVINO properties that make the runtime write files (CACHE_DIR, EXEC_GRAPH_PATH, dump dirs...).
WRITES_FILES = re.compile(r"DIR|PATH|FILE|DUMP", re.IGNORECASE)


class UntrustedManifestError(ManifestError):
    """The manifest names something outside its artifact, or is not a manifest at all."""


def read_manifest(artifact_dir: Path) -> Manifest:
    """The checked manifest of ``artifact_dir``.

    Raises:
        ArtifactIntegrityError: the manifest is missing or not valid JSON (naming the file).
        ManifestError: it lacks a field or has one of the wrong type (see :class:`Manifest`).
        UntrustedManifestError: it names a path or property that reaches outside.
    """
    manifest = Manifest.read(artifact_dir)
    check_manifest(Path(artifact_dir), manifest)
    return manifest


def check_manifest(artifact_dir: Path, manifest: Manifest) -> None:
    """Raise :class:`UntrustedManifestError` naming the first path or property that escapes."""
    confined(artifact_dir, manifest.model, "model")
    where = artifact_dir / MANIFEST
    for rel in manifest.files:  # each entry's size and sha256 were checked by Manifest
        confined(artifact_dir, rel, f"files[{rel!r}]")
    for device, blob in manifest.blobs.items():
        confined(artifact_dir, (blob or {}).get("blob"), f"blobs.{device}.blob")
        check_properties(artifact_dir, blob.get("properties"), f"blobs.{device}.properties")
    for role, rel in (manifest.convert.get("models") or {}).items():
        confined(artifact_dir, rel, f"stages.convert.models.{role}")
    device = manifest.recipe.get("device") or {}
    if not isinstance(device, dict):
        raise UntrustedManifestError(f"{where}: recipe.device is not an object")
    check_properties(artifact_dir, device.get("properties"), "recipe.device.properties")


def confined(artifact_dir: Path, rel: Any, key: str) -> Path:
    """``artifact_dir / rel`` resolved, after proving it stays inside the artifact."""
    where = artifact_dir / MANIFEST
    if not isinstance(rel, str) or not rel or "\x00" in rel or os.path.isabs(rel):
        raise UntrustedManifestError(f"{where}: {key} = {rel!r} is not a relative path inside the artifact")
    try:
        os.fsencode(rel)
    except UnicodeEncodeError:
        raise UntrustedManifestError(f"{where}: {key} = {rel!r} is not a valid file name") from None
    root = os.path.realpath(artifact_dir)
    real = os.path.realpath(os.path.join(root, rel))
    if os.path.commonpath([root, real]) != root:
        raise UntrustedManifestError(f"{where}: {key} = {rel!r} resolves outside the artifact ({real})")
    return Path(real)


def check_properties(artifact_dir: Path, properties: Any, key: str) -> None:
    """Refuse properties that write files, except a ``CACHE_DIR`` inside the artifact."""
    if properties is None:
        return
    if not isinstance(properties, dict):
        raise UntrustedManifestError(f"{artifact_dir / MANIFEST}: {key} is not an object")
    for name, value in properties.items():
        if isinstance(value, dict):  # per-device table
            check_properties(artifact_dir, value, f"{key}.{name}")
        elif str(name).upper() == "CACHE_DIR":
            confined(artifact_dir, value, f"{key}.{name}")
        elif WRITES_FILES.search(str(name)):
            raise UntrustedManifestError(
                f"{artifact_dir / MANIFEST}: {key}.{name} makes OpenVINO write files; refused "
                "(pass it to load() yourself if you mean it)"
            )
