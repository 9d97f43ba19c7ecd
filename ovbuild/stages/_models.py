"""Helpers for stages that carry the model files forward unchanged."""

from __future__ import annotations

from pathlib import Path

from ovbuild.store import CacheEntry
from ovbuild.store._fs import link_or_copy

_MODEL_SUFFIXES = (".xml", ".bin")


def model_files(entry: CacheEntry) -> list[Path]:
    """Every IR file an entry carries (main model, tokenizer, sub-models)."""
    return sorted(p for p in entry.path.iterdir() if p.suffix in _MODEL_SUFFIXES)


def carry_models(entry: CacheEntry, out_dir: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Hard-link the parent's IR files into ``out_dir``; entries are immutable, so this is safe."""
    names = []
    for path in model_files(entry):
        if path.name in skip:
            continue
        link_or_copy(path, out_dir / path.name)
        names.append(path.name)
    return names
