"""Frozen config slices: immutable all the way down, and hashed as the JSON they were made from."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Mapping
from typing import Any

import pytest

from ovbuild.config.frozen import FrozenConfig, FrozenMap, thaw
from ovbuild.hashing import canonical_json


@dataclasses.dataclass(frozen=True)
class _Slice(FrozenConfig):
    precision: Mapping[str, Any]
    inputs: Mapping[str, Any] | None = None


RAW = {"default": "int8", "rules": [{"name": "^a", "precision": "fp32"}], "accuracy": {"max_drop": 0.01}}


def test_nested_values_are_frozen_and_hash_as_their_json() -> None:
    cfg = _Slice(precision=RAW, inputs={"x": [1, 3, 16, 16]})
    assert isinstance(cfg.precision, FrozenMap) and isinstance(cfg.inputs["x"], tuple)
    assert isinstance(cfg.precision["rules"][0], FrozenMap)
    with pytest.raises(TypeError):
        cfg.precision["accuracy"]["max_drop"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        cfg.precision._items = {}  # type: ignore[misc]
    # Freezing leaves the key material as it was: the same canonical JSON as the plain dicts.
    assert canonical_json(cfg) == canonical_json({"precision": RAW, "inputs": {"x": [1, 3, 16, 16]}})
    assert thaw(cfg.precision) == RAW and isinstance(thaw(cfg.precision)["rules"], list)
    assert pickle.loads(pickle.dumps(cfg)) == cfg and hash(cfg) == hash(
        _Slice(precision=RAW, inputs={"x": [1, 3, 16, 16]})
    )
