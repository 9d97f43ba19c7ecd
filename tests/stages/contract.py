"""The contract every stage passes, as Hydra's launcher plugins share ``LauncherTestSuite``.

Subclass :class:`StageContract` once per stage, naming the stage and a recipe in which it runs
(``recipe()``); pytest then checks that the stage is registered in its declared order, that its
config slice is JSON and stable, that its key is deterministic, that ``input_files`` imports no
heavy library, that re-running it writes only into its ``out_dir`` and returns a JSON-able result
(which its declared ``Result`` type reads back unchanged), and that it carries its parent's
models forward.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ovbuild import build
from ovbuild.graph import BuildResult, plan_stages
from ovbuild.hashing import canonical_json
from ovbuild.stages.base import Stage, StageContext
from ovbuild.store import CacheEntry, StageCache

#: Libraries key planning must never import (``ovbuild validate`` and cached rebuilds stay fast).
HEAVY = ("openvino", "torch", "nncf", "transformers", "optimum", "librosa", "tensorflow")


def tiny_conv_ir(path: Path) -> Path:
    """A real small model, [1, 3, 16, 16] -> conv, relu, mean -> [1, 4], saved as IR."""
    import numpy as np
    import openvino as ov
    import openvino.opset15 as ops

    if not path.is_file():
        kernel = np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32)
        image = ops.parameter([1, 3, 16, 16], np.float32, name="pixels")
        image.output(0).set_names({"pixels"})
        conv = ops.convolution(image, ops.constant(kernel), [1, 1], [1, 1], [1, 1], [1, 1])
        out = ops.reduce_mean(ops.relu(conv), ops.constant(np.array([2, 3])), False)
        out.output(0).set_names({"features"})
        path.parent.mkdir(parents=True, exist_ok=True)
        ov.save_model(ov.Model([out], [image], "conv"), str(path))
    return path


def tiny_recipe(store: Path, **extra: Any) -> dict[str, Any]:
    """Every built-in stage active on the tiny model: shapes, an embedded front-end, INT8 with
    calibration, validation, precompile and emit."""
    from ovbuild import load_recipe

    model = tiny_conv_ir(store.parent / "contract_model" / "conv.xml")
    raw = {
        "name": "contract_conv",
        "source": {"kind": "ir", "path": str(model)},
        "inputs": {"pixels": [1, 3, 16, 16]},
        "precision": {"default": "int8"},
        "calibration": {"kind": "synthetic", "samples": 8, "holdout": 4},
        "validate": {"metric": "cosine", "min": 0.9, "samples": 4},
        "store": {"root": str(store)},
        **extra,
    }
    return load_recipe(raw=raw)


def _ancestors(result: BuildResult, cache: StageCache) -> dict[str, CacheEntry]:
    """The built chain's entries, from the manifest's stage keys, in graph order."""
    keys = result.manifest.stage_keys
    out = {}
    for name in sorted(keys, key=lambda n: Stage.registry[n].order):
        entry = cache.lookup(name, keys[name])
        if entry is not None:
            out[name] = entry
    return out


def mutable_parts(value: Any, path: str = "config") -> list[str]:
    """Where a config still holds a mutable dict or list (a stage could change its own key material)."""
    if isinstance(value, (dict, list)):
        return [path]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in mutable_parts(v, f"{path}.{k}")]
    if isinstance(value, tuple):
        return [p for i, v in enumerate(value) for p in mutable_parts(v, f"{path}[{i}]")]
    return []


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and "_digests" not in p.parts and "_locks" not in p.parts and "leases" not in p.parts
    }


class StageContract:
    """Subclass with ``stage`` (a registered name) and, if needed, ``recipe``."""

    stage: ClassVar[str]

    def recipe(self, store: Path) -> dict[str, Any]:
        return tiny_recipe(store)

    @pytest.fixture(scope="class")
    @classmethod
    def built(cls, shared_store: Path) -> tuple[dict[str, Any], BuildResult]:
        recipe = cls().recipe(shared_store)
        return recipe, build(recipe)

    @property
    def cls(self) -> type[Stage]:
        return Stage.registry[self.stage]

    def test_registered_with_a_unique_order(self) -> None:
        orders = [c.order for c in Stage.registry.values()]
        assert isinstance(self.cls.order, int) and orders.count(self.cls.order) == 1
        assert self.cls.name == self.stage
        # A declared result names the stage that produces it: readers ask by type, never by name.
        assert self.cls.Result is None or self.cls.Result.stage == self.stage

    def test_config_is_json_and_stable(self, built) -> None:
        recipe, _ = built
        first, second = self.cls().config(recipe), self.cls().config(json.loads(json.dumps(recipe)))
        assert first is not None, f"{self.stage} is skipped by the contract recipe"
        assert canonical_json(first) == canonical_json(second)
        if self.cls.__module__.startswith("ovbuild."):  # a plug-in may still hand back a plain dict
            assert mutable_parts(first) == [], "a stage config is frozen all the way down"

    def test_key_is_deterministic(self, built) -> None:
        recipe, result = built
        cache = StageCache(Path(recipe["store"]["root"]))
        keys = [{p.stage.name: p.key for p in plan_stages(recipe, cache)} for _ in range(2)]
        assert keys[0] == keys[1]
        if self.cls.cached:
            assert keys[0][self.stage] == result.manifest.stage_keys[self.stage]

    def test_input_files_import_nothing_heavy(self, built, tmp_path: Path) -> None:
        recipe, _ = built
        (tmp_path / "recipe.json").write_text(json.dumps(recipe))
        code = (
            f"import json, sys; import ovbuild, {self.cls.__module__}; "
            "from ovbuild.stages.base import Stage; "
            f"recipe = json.load(open({str(tmp_path / 'recipe.json')!r})); "
            f"Stage.registry[{self.stage!r}]().input_files(recipe); "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[]", out.stdout

    def test_rerun_writes_only_into_out_dir_and_returns_json(self, built, tmp_path: Path) -> None:
        recipe, result = built
        store = Path(recipe["store"]["root"])
        cache = StageCache(store)
        chain = _ancestors(result, cache)
        names = [n for n in chain if Stage.registry[n].order < self.cls.order]
        ancestors = {n: chain[n] for n in names}
        parent = ancestors[names[-1]] if names else None
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        ctx = StageContext(out_dir=out_dir, store_root=store, ancestors=ancestors)
        before = _snapshot(store)
        stage = self.cls()
        value = stage.execute(ctx, parent, stage.config(recipe))
        assert _snapshot(store) == before, "the stage wrote outside its out_dir"
        json.dumps(value)  # JSON as it is, no default=str
        if self.cls.Result is not None:  # the typed result reads back the record it wrote, key for key
            assert self.cls.Result.from_json(value).to_json() == value
        if self.cls.carries_models and parent is not None:
            carried = {p.name for p in parent.path.iterdir() if p.suffix in (".xml", ".bin")}
            assert carried <= {p.name for p in out_dir.iterdir()}
        if self.cls.produces_model:
            assert (out_dir / "model.xml").is_file()
