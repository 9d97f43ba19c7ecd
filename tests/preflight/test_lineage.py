"""A recipe whose model differs from a name's existing versions is not silently appended to that
name (issue 22, point 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.errors import RecipeError
from ovbuild.preflight._lineage import lineage_problems
from ovbuild.store import ArtifactStore, StageCache
from ovbuild.store.verify import store_problems
from tests.conftest import recipe_for


def _other_model() -> str:
    import silero_vad

    return str(Path(silero_vad.__file__).parent / "data" / "silero_vad_op18_ifless.onnx")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lineage")
    build(recipe_for("recipe=silero_vad", root=root))
    return root


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if "_digests" not in p.parts)


def test_another_model_under_the_same_name_is_refused_naming_the_flag(store: Path) -> None:
    before = _tree(store)
    other = recipe_for("recipe=silero_vad", f"source.path={_other_model()}", root=store)
    with pytest.raises(RecipeError) as caught:
        build(other)
    message = str(caught.value)
    assert "\n" not in message and "name: 'silero_vad' already holds 1 version(s) of another model" in message
    assert "store.allow_model_change=true" in message and "silero_vad_op18_ifless.onnx" in message
    assert _tree(store) == before and store_problems(store) == []
    assert [v["version"] for v in ArtifactStore(store).versions("silero_vad")] == [1]


def test_a_new_name_or_the_flag_lets_it_through(store: Path) -> None:
    memo = StageCache(store).memo
    other = recipe_for("recipe=silero_vad", f"source.path={_other_model()}", root=store)
    assert lineage_problems({**other, "name": "silero_vad_ifless"}, store, memo) == []
    flagged = recipe_for(
        "recipe=silero_vad", f"source.path={_other_model()}", "store.allow_model_change=true", root=store
    )
    assert lineage_problems(flagged, store, memo) == []


def test_the_same_model_elsewhere_is_the_same_model(store: Path, tmp_path: Path) -> None:
    """A moved file (another venv, a copied checkout) keeps its digests: no false alarm."""
    original = recipe_for("recipe=silero_vad", root=store)["source"]["path"]
    moved = tmp_path / "copy.onnx"
    shutil.copy(original, moved)
    recipe = recipe_for("recipe=silero_vad", f"source.path={moved}", root=store)
    assert lineage_problems(recipe, store, StageCache(store).memo) == []
