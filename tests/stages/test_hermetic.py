"""Cache keys are hermetic: a stage reads only its config (there is no recipe in its context), and
its key is a digest of exactly that config, its files, its parent's key and its code.

The key test is generated from the recipe schema, not written by hand: every key of every schema
dataclass is changed in turn on real recipes, and for every stage the key changes exactly when
what the stage receives changes (its config, its files or its parent's key). A stage whose config
is unchanged receives the same inputs (its context carries no recipe), so it provably does not
read that key.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import typing
from pathlib import Path
from typing import Any

import pytest

from ovbuild import load_recipe
from ovbuild.config.schema import FRONTEND_SCHEMAS, Recipe
from ovbuild.config.sections import SOURCE_SCHEMAS
from ovbuild.graph import PlannedStage, plan_stages
from ovbuild.stages.base import StageContext
from ovbuild.store import StageCache

#: Recipes whose composed values cover every section: auto precision with calibration, validate
#: and an image front-end; a text front-end on an hf source; an audio front-end.
BASES = ("mediapipe_face_detection_auto", "minilm_auto", "speaker_encoder")
#: What is not compiled into the artifact: where the store is, and the signing key (the signature
#: is added beside the published files).
NOT_COMPILED = ("store", "sign")


def _hints(schema: type) -> dict[str, Any]:
    return typing.get_type_hints(schema)


def _dataclass_of(hint: Any) -> type | None:
    """The dataclass of a ``X`` or ``X | None`` field (not of a list or dict of them: those are
    leaves, changed as a whole)."""
    if typing.get_origin(hint) in (list, dict):
        return None
    for arg in (hint, *typing.get_args(hint)):
        if dataclasses.is_dataclass(arg):
            return arg
    return None


def _enum_of(hint: Any) -> type[enum.Enum] | None:
    for arg in (hint, *typing.get_args(hint)):
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            return arg
    return None


def schema_keys(schema: type, recipe: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted key, type hint)`` of every leaf of ``schema`` present in ``recipe``; ``Any``
    sections (source, frontend) use the schema their ``kind`` selects."""
    keys = []
    for name, hint in _hints(schema).items():
        path, value = f"{prefix}{name}", recipe.get(name)
        nested = _dataclass_of(hint)
        if name == "source" and schema is Recipe:
            nested = SOURCE_SCHEMAS[value["kind"]]
        if name == "frontend" and schema is Recipe and value is not None:
            nested = FRONTEND_SCHEMAS[value["kind"]]
        if nested is not None and isinstance(value, dict):
            keys += schema_keys(nested, value, f"{path}.")
        else:
            keys.append((path, hint))
    return keys


def changed(value: Any, hint: Any) -> Any:
    """A different value of the same kind (validity is not needed to plan)."""
    kind = _enum_of(hint)
    if kind is not None:
        members = [m.value for m in kind]
        return next(m for m in members if m != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, str):
        return value + "_changed"
    if isinstance(value, list):
        return [changed(value[0], None), *value[1:]] if value else ["changed"]
    if isinstance(value, dict):
        return {**value, "changed": [1]}
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return {int: 1, float: 0.5, bool: True}.get(args[0], "changed")


def _set(recipe: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(recipe)
    *parents, leaf = path.split(".")
    node = out
    for name in parents:
        node = node[name]
    node[leaf] = value
    return out


def _get(recipe: dict[str, Any], path: str) -> Any:
    node: Any = recipe
    for name in path.split("."):
        node = node[name]
    return node


def _seen(stage: PlannedStage) -> tuple[Any, dict[str, str], str | None]:
    return stage.config, stage.files


def _plan(recipe: dict[str, Any], cache: StageCache) -> dict[str, PlannedStage] | None:
    try:
        return {p.stage.name: p for p in plan_stages(recipe, cache)}
    except Exception:  # a value no stage can plan is refused before anything is built
        return None


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], StageCache]]:
    import functools

    import ovbuild.graph

    # The code does not change while this module runs: digest each stage's import closure once.
    patch = pytest.MonkeyPatch()
    digest = functools.cache(lambda stage_type: real(stage_type(), ovbuild.graph.CodeIndex(), cache))
    real = ovbuild.graph._code_digest
    patch.setattr(ovbuild.graph, "_code_digest", lambda stage, index, cache: digest(type(stage)))
    root = tmp_path_factory.mktemp("hermetic")
    cache = StageCache(root)
    out = {}
    for name in BASES:
        recipe = load_recipe([f"recipe={name}", f"store.root={root}"])
        out[name] = (recipe, cache)
    yield out
    patch.undo()


def test_the_stage_context_carries_no_recipe() -> None:
    fields = {f.name for f in dataclasses.fields(StageContext)}
    assert "recipe" not in fields and not hasattr(StageContext, "recipe")


@pytest.mark.slow
def test_every_schema_key_changes_exactly_the_keys_of_the_stages_that_receive_it(bases) -> None:
    covered: set[str] = set()
    unplannable: list[str] = []
    for recipe, cache in bases.values():
        before = _plan(recipe, cache)
        assert before is not None
        for key, hint in schema_keys(Recipe, recipe):
            if key.split(".")[0] in NOT_COMPILED:
                continue
            after = _plan(_set(recipe, key, changed(_get(recipe, key), hint)), cache)
            if after is None:
                unplannable.append(key)
                continue
            readers = []
            for name, stage in after.items():
                old = before.get(name)
                if old is None:
                    continue  # a stage switched on by the change (e.g. calibration consumed)
                parent = list(after).index(name)
                same_parent = parent == 0 or (
                    list(after)[parent - 1] in before
                    and after[list(after)[parent - 1]].key == before[list(after)[parent - 1]].key
                )
                receives_same = _seen(stage) == _seen(old) and same_parent
                assert (stage.key == old.key) == receives_same, (key, name)
                if _seen(stage) != _seen(old):
                    readers.append(name)
            assert readers, f"{key}: no stage receives it, yet it is part of the recipe"
            covered.add(key)
    # Most keys plan with any value; the rest (a source kind, a file path) fail before any stage.
    assert len(covered) > 4 * len(unplannable), unplannable


def test_auto_compress_key_covers_the_scoring_metric_and_device_numerics(bases) -> None:
    """The review's reproduction: under ``precision: auto`` compress scores candidates with the
    validate block, compiled at the device's inference precision; a map chosen under one metric or
    numerics must not be reused under another."""
    recipe, cache = bases["mediapipe_face_detection_auto"]

    def compress_key(**changes: Any) -> str:
        changed_recipe = recipe
        for path, value in changes.items():
            changed_recipe = _set(changed_recipe, path.replace("__", "."), value)
        return {p.stage.name: p.key for p in plan_stages(changed_recipe, cache)}["compress"]

    base = compress_key()
    assert base != compress_key(device__inference_precision="f32")
    assert base != compress_key(validate__metric="max_abs", validate__min=None, validate__max=0.5)
    # and what auto does not read leaves the map reusable across devices' other settings
    assert base == compress_key(device__performance_hint="THROUGHPUT")


_RECIPE_ACCESS = ("load_recipe", "HydraConfig", "GlobalHydra", "ctx.recipe")


def test_no_stage_reaches_the_recipe_another_way() -> None:
    """Nothing that runs inside a stage composes or reads a recipe of its own."""
    import ovbuild

    root = Path(ovbuild.__file__).parent
    run_packages = ("stages", "precision", "calibration", "metrics", "sources", "frontends", "speech")
    offenders = [
        str(path.relative_to(root))
        for package in run_packages
        for path in (root / package).rglob("*.py")
        if any(word in path.read_text() for word in _RECIPE_ACCESS)
    ]
    assert offenders == []
