"""The packages an artifact's loader needs (``manifest["requirements"]``, also written as the
artifact's ``requirements.txt``): a missing one is an error at ``load()`` that names it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


class MissingRequirementError(ImportError):
    """A package the artifact's loader needs is not installed."""


def check_requirements(artifact_dir: Path, manifest: Any) -> None:
    """Raise :class:`MissingRequirementError` naming every required package that is not importable.

    Artifacts built before requirements were recorded carry none, and are not checked.
    """
    missing = []
    for req in manifest.requirements:
        if not req.get("required", True):
            continue
        try:
            found = importlib.util.find_spec(str(req["import"])) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(f"{req['spec']} ({req.get('why', 'the loader')})")
    if missing:
        raise MissingRequirementError(
            f"artifact {manifest.name!r} needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install -r {Path(artifact_dir) / 'requirements.txt'}",
            name=str(missing[0].split("=")[0].split(">")[0]),
        )
