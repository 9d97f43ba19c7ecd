"""A new source kind is one class plus one YAML: this test-only ``npy_linear`` kind turns a
``.npy`` weight matrix into a MatMul model, declares its ``source:`` keys in a frozen schema, is
validated by ``kind`` like the bundled kinds, passes the source contract and builds end to end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from omegaconf import MISSING

from ovbuild import RecipeError, SourceError, build, load_recipe
from ovbuild.runtime import import_loader
from ovbuild.sources import Source
from tests.sources.contract import SourceContract


@dataclass(frozen=True)
class NpyLinearConfig:
    kind: str = "npy_linear"
    path: str = MISSING  # a .npy matrix [in, out]


class NpyLinearSource(Source):
    kind = "npy_linear"
    schema = NpyLinearConfig

    def input_files(self, cfg: dict[str, Any]) -> list[Path]:
        path = Path(cfg["path"]).expanduser()
        if not path.is_file():
            raise SourceError(f"source.path: no such file: {path}")
        return [path.resolve()]

    def convert(self, ctx: Any, cfg: dict[str, Any], shapes: dict | None = None) -> dict[str, Any]:
        import openvino as ov
        import openvino.opset15 as ops

        weights = np.load(self.input_files(cfg)[0]).astype(np.float32)
        x = ops.parameter([-1, weights.shape[0]], np.float32, name="x")
        x.output(0).set_names({"x"})
        y = ops.matmul(x, ops.constant(weights), False, False)
        y.output(0).set_names({"y"})
        ctx.save_model(ov.Model([y], [x], "npy_linear"))
        return {"models": {"model": "model.xml"}, "shape": list(weights.shape)}


RECIPE = """\
# @package _global_
name: npy_linear_demo
source:
  kind: npy_linear
  path: {weights}
inputs:
  x: [2, 4]
"""


def _weights(tmp_path: Path) -> Path:
    path = tmp_path / "w.npy"
    np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3) / 10)
    return path


def test_new_source_kind_builds_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "npy_linear_demo.yaml").write_text(RECIPE.format(weights=_weights(tmp_path)))
    monkeypatch.setenv("OVBUILD_RECIPES", str(recipes))
    recipe = load_recipe(["recipe=npy_linear_demo", f"store.root={tmp_path / 'store'}"])
    assert recipe["source"] == {"kind": "npy_linear", "path": str(tmp_path / "w.npy")}
    result = build(recipe)
    assert result.manifest.stages["convert"]["shape"] == [4, 3]
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    got = import_loader(result.path).load()({"x": x})["y"]
    np.testing.assert_allclose(got, x @ np.load(tmp_path / "w.npy"), rtol=1e-2, atol=1e-3)


def test_its_keys_are_checked_by_kind(tmp_path: Path) -> None:
    raw = {"name": "n", "source": {"kind": "npy_linear", "factory": "m:f"}}
    with pytest.raises(RecipeError) as error:
        load_recipe(raw=raw)
    assert "source.factory: unknown key" in str(error.value)
    assert "source.path: missing required value" in str(error.value)


class TestNpyLinearContract(SourceContract):
    kind = "npy_linear"
    inputs = {"x": [2, 4]}

    def config(self, tmp_path: Path) -> dict[str, Any]:
        return {"kind": "npy_linear", "path": str(_weights(tmp_path))}

    def missing(self, tmp_path: Path) -> dict[str, Any]:
        return {"kind": "npy_linear", "path": str(tmp_path / "gone.npy")}
