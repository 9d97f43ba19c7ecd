"""Recipe sections that come from plugins, not from :mod:`ovbuild.config.schema`: the ``source:``
schema of each source kind and the sections new stages add. Both are filled by subclassing
(``Source``/``Stage.__init_subclass__``) and read by the validator. The source classes themselves
are kept too, so recipe checks at this layer ask a kind for its facts (``source_of``) instead of
testing its name."""

from __future__ import annotations

import dataclasses
from typing import Any

from ovbuild.config.schema import Recipe

#: ``source:`` keys per ``source.kind``. Each ``ovbuild.sources`` class registers its own schema
#: (``Source.__init_subclass__``), so a new kind is one class; the validator dispatches on
#: ``kind`` exactly as for ``schema.FRONTEND_SCHEMAS``.
SOURCE_SCHEMAS: dict[str, type] = {}
#: The ``ovbuild.sources.Source`` class of each kind (its facts: model file, HF directory, ...).
SOURCE_CLASSES: dict[str, type] = {}
#: Recipe sections added by stages outside this schema (``Stage.section``/``Stage.schema``).
SECTIONS: dict[str, type] = {}


def register_source(kind: str, cls: type) -> None:
    SOURCE_SCHEMAS[kind] = cls.schema
    SOURCE_CLASSES[kind] = cls


def source_of(source: Any) -> Any:
    """The ``Source`` of a recipe's ``source`` block (None for a missing or unknown kind: the
    validator reports those)."""
    cls = SOURCE_CLASSES.get(str((source or {}).get("kind")))
    return cls() if cls is not None else None


def register_section(name: str, schema: type) -> None:
    if name in {f.name for f in dataclasses.fields(Recipe)}:
        raise TypeError(f"recipe section {name!r} is already part of the recipe schema")
    SECTIONS[name] = schema


def source_kinds() -> tuple[str, ...]:
    """Every registered ``source.kind`` (the registry is filled when :mod:`ovbuild` is imported)."""
    return tuple(SOURCE_SCHEMAS)
