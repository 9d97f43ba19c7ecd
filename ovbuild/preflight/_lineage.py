"""One name, one model: a recipe whose model differs from every existing version of its ``name``
is not silently published as that name's next version.

A model is known by the content of its source files (their digests, wherever they lie, so a
reinstalled package or a moved file is the same model) or, for sources without files (a
``_target_`` callable), by the ``source`` section itself. ``store.allow_model_change: true``
publishes anyway (a retrained model meant to replace the old one under the same name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovbuild.hashing import DigestMemo, sha256_json
from ovbuild.store.artifacts import MANIFEST, ArtifactStore

FLAG = "store.allow_model_change"


def model_identity(source: dict[str, Any], memo: DigestMemo) -> str:
    """A digest of what the ``source`` section names: its files' contents, or the section itself."""
    from ovbuild.errors import OvbuildError
    from ovbuild.sources import source_for

    try:
        paths = source_for(str(source.get("kind"))).input_files(source)
        digests = sorted(d for p in paths for d in memo.tree(p).values())
    except (OvbuildError, OSError, TypeError, ValueError):
        digests = []
    if digests:
        return sha256_json({"kind": source.get("kind"), "files": digests})
    return sha256_json({k: v for k, v in source.items() if k != "path"} | {"path": _file_name(source)})


def _file_name(source: dict[str, Any]) -> str | None:
    path = source.get("path")
    return Path(str(path)).name if path else None


def lineage_problems(recipe: dict[str, Any], store: Path, memo: DigestMemo) -> list[str]:
    """``name: ...`` when the store holds versions of ``recipe['name']`` and none of them was built
    from the recipe's model (checked only before a new version would be published)."""
    if (recipe.get("store") or {}).get("allow_model_change"):
        return []
    artifacts = ArtifactStore(store)
    name = recipe["name"]
    versions = artifacts.versions(name)
    if not versions:
        return []
    mine = model_identity(recipe["source"], memo)
    others: list[dict[str, Any]] = []
    for entry in reversed(versions):
        try:
            manifest = json.loads((artifacts.root / name / str(entry["version"]) / MANIFEST).read_text())
            source = manifest["recipe"]["source"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(source, dict) or model_identity(source, memo) == mine:
            return []
        others.append(source)
    if not others:
        return []
    newest = versions[-1]["version"]
    was = others[0].get("path") or others[0].get("kind")
    now = recipe["source"].get("path") or recipe["source"].get("kind")
    return [
        f"name: {name!r} already holds {len(versions)} version(s) of another model (v{newest} was built "
        f"from {was}; this recipe's source is {now}); "
        f"choose a new name=, or set {FLAG}=true to publish it as {name}'s next version"
    ]
