"""A new front-end kind is one class: this test-only ``scale`` kind multiplies the model's input
in the graph. It registers its ``frontend:`` keys, is validated by ``kind`` like the bundled kinds,
builds end to end, and says what its loader imports; a kind without ``embed`` is refused at build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ovbuild import RecipeError, StageError, build, load_recipe
from ovbuild.runtime import import_loader
from ovbuild.stages.frontend_kind import FrontEnd, frontend_of
from tests.sources.test_new_source import RECIPE, _weights  # registers the npy_linear source


@dataclass(frozen=True)
class ScaleFrontendConfig:
    kind: str = "scale"
    factor: float = 2.0
    embed: bool = True


class ScaleFrontEnd(FrontEnd):
    kind = "scale"
    schema = ScaleFrontendConfig

    def embed(self, ctx: Any, parent: Any, config: dict[str, Any]) -> dict[str, Any]:
        from openvino.preprocess import PrePostProcessor

        ppp = PrePostProcessor(ctx.read_model(parent))
        ppp.input().preprocess().scale(1.0 / float(config["factor"]))
        ctx.save_model(ppp.build())
        return {"embedded": True, "factor": config["factor"]}

    def requirements(self, facts: dict[str, Any]) -> list[dict[str, Any]]:
        from ovbuild.stages._requirements import requirement

        return [requirement("numpy", "numpy", f"scaling by {facts['factor']}")]


@dataclass(frozen=True)
class SilentFrontendConfig:
    kind: str = "silent"
    embed: bool = True


class SilentFrontEnd(FrontEnd):  # declares no embed: the base class refuses it
    kind = "silent"
    schema = SilentFrontendConfig


def _recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *overrides: str) -> dict:
    recipes = tmp_path / "recipes"
    recipes.mkdir(exist_ok=True)
    (recipes / "npy_linear_demo.yaml").write_text(RECIPE.format(weights=_weights(tmp_path)))
    monkeypatch.setenv("OVBUILD_RECIPES", str(recipes))
    return load_recipe(["recipe=npy_linear_demo", f"store.root={tmp_path / 'store'}", *overrides])


def test_a_new_frontend_kind_builds_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recipe = _recipe(tmp_path, monkeypatch, "+frontend={kind: scale, factor: 3.0}")
    result = build(recipe)
    facts = result.manifest.stages["frontend"]
    assert facts["embedded"] is True and facts["factor"] == 3.0
    requirements = (result.path / "requirements.txt").read_text()
    assert "scaling by 3.0" in requirements
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    got = import_loader(result.path).load()({"x": x})["y"]
    np.testing.assert_allclose(got, (3.0 * x) @ np.load(tmp_path / "w.npy"), rtol=1e-2, atol=1e-3)


def test_its_keys_are_checked_by_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RecipeError, match=r"frontend.gain: unknown key"):
        _recipe(tmp_path, monkeypatch, "+frontend={kind: scale, gain: 3.0}")
    with pytest.raises(RecipeError, match=r"frontend.kind: 'scal' is not one of .*scale"):
        _recipe(tmp_path, monkeypatch, "+frontend={kind: scal}")


def test_a_kind_that_cannot_embed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StageError, match=r"frontend.kind: 'silent' cannot be embedded"):
        build(_recipe(tmp_path, monkeypatch, "+frontend={kind: silent}"))
    assert not (tmp_path / "store" / "artifacts").exists() or not any(
        (tmp_path / "store" / "artifacts").iterdir()
    )


def test_the_bundled_kinds_are_registered_classes() -> None:
    assert {"audio", "text", "image"} <= set(FrontEnd.registry)
    assert [r["import"] for r in frontend_of("image").requirements({"embedded": True})] == ["PIL"]
    assert [r["import"] for r in frontend_of("text").requirements({"embedded": False})] == ["tokenizers"]
    assert frontend_of("text").requirements({"embedded": True}) == []
    with pytest.raises(StageError, match="frontend.kind: 'nope' is not one of audio, text, image"):
        frontend_of("nope")
