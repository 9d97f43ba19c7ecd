"""Model sources: one :class:`~ovbuild.sources.base.Source` class per kind, registered by
subclassing (see :mod:`ovbuild.sources.base`). Every public module here is imported, so a class in
a new file is found without touching this one.
"""

from __future__ import annotations

import importlib
import pkgutil

from ovbuild.errors import SourceError
from ovbuild.sources.base import Source

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_") and _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")


def source_for(kind: str) -> Source:
    """The source of ``kind``.

    Raises:
        SourceError: no source of that kind is registered.
    """
    try:
        return Source.registry[kind]()
    except KeyError:
        known = ", ".join(Source.registry)
        raise SourceError(f"source.kind: unknown kind {kind!r} (known: {known})") from None


__all__ = ["Source", "source_for"]
