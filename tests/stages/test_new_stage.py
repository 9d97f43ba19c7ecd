"""A new stage is one class plus one YAML: this test-only stage scales the model's output, is
placed between ``shape`` and ``frontend`` by its ``order``, adds a ``scale_output:`` recipe
section through its ``schema``, never calls ``carry_models``, and builds end to end, with the
registry, the validator, the reference query and the code digest all picking it up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from omegaconf import MISSING

from ovbuild import RecipeError, build, load_recipe
from ovbuild.runtime import import_loader
from ovbuild.stages import default_stages
from ovbuild.stages.base import Stage, StageContext
from ovbuild.store import CacheEntry
from tests.stages.contract import StageContract, tiny_conv_ir


@dataclass(frozen=True)
class ScaleOutputConfig:
    factor: float = MISSING


class ScaleOutputStage(Stage):
    name = "scale_output"
    order = 35  # after shape (30), before frontend (40)
    produces_model = True
    section = "scale_output"
    schema = ScaleOutputConfig

    def config(self, recipe: dict[str, Any]) -> dict[str, Any] | None:
        return recipe.get("scale_output")

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: dict[str, Any]) -> dict[str, Any]:
        import openvino as ov
        import openvino.opset15 as ops

        model = ctx.read_model(parent)
        result = model.get_results()[0]
        scaled = ops.multiply(result.input_value(0), ops.constant(np.float32(config["factor"])))
        scaled.output(0).set_names(set(result.input_value(0).get_names()))
        ctx.save_model(ov.Model([scaled], model.get_parameters(), model.get_friendly_name()))
        return {"factor": config["factor"]}


RECIPE = """\
# @package _global_
defaults:
  - override /source: ir
name: scaled_conv
source:
  path: {model}
inputs:
  pixels: [1, 3, 16, 16]
scale_output:
  factor: 3.0
validate:
  metric: cosine
  min: 0.999
  samples: 4
"""


def _recipe_dir(tmp_path: Path) -> Path:
    model = tiny_conv_ir(tmp_path / "model" / "conv.xml")
    recipes = tmp_path / "recipes"
    recipes.mkdir(exist_ok=True)
    (recipes / "scaled_conv.yaml").write_text(RECIPE.format(model=model))
    return recipes


def test_the_stage_is_placed_by_its_order() -> None:
    names = [s.name for s in default_stages()]
    assert names.index("shape") < names.index("scale_output") < names.index("frontend")


def test_new_stage_builds_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openvino as ov

    monkeypatch.setenv("OVBUILD_RECIPES", str(_recipe_dir(tmp_path)))
    result = build(load_recipe(["recipe=scaled_conv", f"store.root={tmp_path / 'store'}"]))
    assert "scale_output" in result.built
    manifest = result.manifest
    assert manifest.stages["scale_output"] == {"factor": 3.0}
    # The reference validate scored against is the scaled model: the last one before compress.
    assert "/scale_output/" in manifest.reference_ir
    assert manifest.stages["validate"]["value"] > 0.999
    pixels = np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    plain = ov.Core().compile_model(str(tmp_path / "model" / "conv.xml"), "CPU")(pixels)[0]
    got = import_loader(result.path).load()({"pixels": pixels})["features"]
    np.testing.assert_allclose(got, 3.0 * plain, rtol=1e-2, atol=1e-3)


def test_its_section_is_validated_like_a_built_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVBUILD_RECIPES", str(_recipe_dir(tmp_path)))
    with pytest.raises(RecipeError) as error:
        load_recipe(["recipe=scaled_conv", "scale_output.factor=lots", "+scale_output.facter=2"])
    assert "scale_output.factor: expected float, got str 'lots'" in str(error.value)
    assert "scale_output.facter: unknown key (did you mean 'factor'?)" in str(error.value)


class TestScaleOutputContract(StageContract):
    stage = "scale_output"

    def recipe(self, store: Path) -> dict[str, Any]:
        from tests.stages.contract import tiny_recipe

        return tiny_recipe(store, scale_output={"factor": 2.0})
