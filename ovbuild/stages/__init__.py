"""The stages of the graph. Every public module here is imported, so a ``Stage`` subclass in a new
file registers itself; the graph runs them by their declared ``order``: source → convert → shape
→ frontend → calibrate → compress → validate → serialize → precompile → emit."""

from __future__ import annotations

import importlib
import pkgutil

from ovbuild.stages.base import Stage, StageContext, reference_entry, stage_classes

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_") and _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def default_stages() -> list[Stage]:
    """One instance of every registered stage, in graph order."""
    return [cls() for cls in stage_classes()]


__all__ = ["Stage", "StageContext", "default_stages", "reference_entry", "stage_classes"]
