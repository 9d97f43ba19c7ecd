"""The base of every typed config slice a stage receives after validation.

A :class:`FrozenConfig` subclass is a frozen dataclass (attributes, no mutation) that also reads
as the mapping it was built from (``cfg["path"]``, ``cfg.get("args")``, ``dict(cfg)``), so the
same object is the stage's input and, through :func:`ovbuild.hashing.canonical_json`, its
cache-key material. Values below the first level stay the validated plain JSON values.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="FrozenConfig")


@dataclasses.dataclass(frozen=True)
class FrozenConfig(Mapping[str, Any]):
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
        return {k: v.to_json() if isinstance(v, FrozenConfig) else v for k, v in self.items()}


@functools.cache
def frozen_schema(schema: type) -> type[FrozenConfig]:
    """A frozen :class:`FrozenConfig` twin of a (Hydra-registered, mutable) schema dataclass."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default, default_factory=f.default_factory))
        for f in dataclasses.fields(schema)
    ]
    return dataclasses.make_dataclass(schema.__name__, fields, bases=(FrozenConfig,), frozen=True)
