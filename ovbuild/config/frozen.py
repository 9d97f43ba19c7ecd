"""The base of every typed config slice a stage receives after validation.

A :class:`FrozenConfig` subclass is a frozen dataclass (attributes, no mutation) that also reads
as the mapping it was built from (``cfg["path"]``, ``cfg.get("args")``, ``dict(cfg)``), so the
same object is the stage's input and, through :func:`ovbuild.hashing.canonical_json`, its
cache-key material. It is frozen all the way down: nested dicts become :class:`FrozenMap` and
lists become tuples when the slice is made (:func:`freeze`), so nothing a stage or a library it
calls does can change the value its key was computed from. Both hash as the JSON they came from
(a mapping as an object, a tuple as an array), so freezing leaves every key as it was. Where a
library wants plain, mutable JSON, the stage hands it a copy: :func:`thaw`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="FrozenConfig")


class FrozenMap(Mapping[str, Any]):
    """An immutable mapping of frozen values: a validated recipe dict inside a config slice."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_items", {k: freeze(v) for k, v in (items or {}).items()})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=lambda kv: str(kv[0]))))

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenMap, (self._items,)


def freeze(value: Any) -> Any:
    """``value`` with every dict as a :class:`FrozenMap` and every list as a tuple, recursively."""
    if isinstance(value, (FrozenConfig, FrozenMap)):
        return value
    if isinstance(value, Mapping):
        return FrozenMap(value)
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable JSON copy of a frozen value (configs and mappings as dicts, tuples as lists)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True)
class FrozenConfig(Mapping[str, Any]):
    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    @classmethod
    def of(cls: type[T], value: Mapping[str, Any]) -> T:
        """The slice from a validated, defaults-filled mapping (keys the class lacks are an error)."""
        return cls(**dict(value))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, nested configs included (for manifests and stage results)."""
        return thaw(self)


@functools.cache
def frozen_schema(schema: type) -> type[FrozenConfig]:
    """A frozen :class:`FrozenConfig` twin of a (Hydra-registered, mutable) schema dataclass."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default, default_factory=f.default_factory))
        for f in dataclasses.fields(schema)
    ]
    return dataclasses.make_dataclass(schema.__name__, fields, bases=(FrozenConfig,), frozen=True)
