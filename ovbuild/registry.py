"""Class registries filled by subclassing (Olive's ``Pass.registry``): stages by name, sources by
kind. Registering a name twice is an error unless it is the same class defined again (a module
re-imported), so two plugins cannot silently replace each other."""

from __future__ import annotations

from typing import Any


def register(registry: dict[str, Any], key: str, cls: type, what: str) -> None:
    """Put ``cls`` under ``key``.

    Raises:
        TypeError: another class already holds ``key``.
    """
    known = registry.get(key)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise TypeError(f"{what} {key!r} is taken by {known.__module__}.{known.__qualname__}")
    registry[key] = cls


def register_kind(cls: type, registry: dict[str, Any], what: str) -> bool:
    """``__init_subclass__`` of a class registry keyed by ``kind`` (sources, front-ends): put
    ``cls`` under its ``kind`` if it declares one (a shared helper base does not).

    Returns:
        Whether ``cls`` declared a kind and was registered.

    Raises:
        TypeError: the kind has no ``schema`` dataclass, or another class holds its name.
    """
    if "kind" not in cls.__dict__:
        return False
    if not isinstance(getattr(cls, "schema", None), type):
        raise TypeError(f"{what} {cls.kind!r}: declare its keys as a dataclass 'schema'")
    register(registry, cls.kind, cls, what)
    return True
