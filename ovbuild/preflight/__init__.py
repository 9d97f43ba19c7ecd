"""Every bad input stopped before the first stage publishes anything.

The schema walker (:mod:`ovbuild.config`) checks keys and types; this package checks what values
mean, in two steps, each reporting every problem at once as one :class:`~ovbuild.errors.RecipeError`
whose lines name the recipe key:

1. :func:`check_recipe` (cheap, no model, no OpenVINO): the name, regexes, shapes, ranges, device
   priority syntax, properties that write files, and that ``store.root`` is a writable directory.
2. :func:`check_inputs` (before a build that has stages to run): device names and properties
   against OpenVINO (a tiny model is compiled with them), input names and ranks against the model
   file, and calibration data that exists and holds readable samples of the right kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import RecipeError, SourceError
from ovbuild.preflight._store import store_problems
from ovbuild.preflight._values import value_problems


def check_recipe(recipe: dict[str, Any], store: Path | None = None) -> None:
    """The cheap checks; raises one :class:`RecipeError` listing every problem found."""
    problems = value_problems(recipe)
    if store is not None:
        problems += store_problems(store)
    if problems:
        raise RecipeError(problems, recipe=_label(recipe, problems))


def check_inputs(recipe: dict[str, Any]) -> None:
    """The checks that read the model, the calibration data and the devices."""
    from ovbuild.preflight._calibration import calibration_problems
    from ovbuild.preflight._devices import device_problems
    from ovbuild.preflight._generative import generative_problems
    from ovbuild.preflight._model import model_inputs, shape_problems
    from ovbuild.speech.clips import speech_clip_problems

    problems = device_problems(recipe["device"])
    try:
        inputs = model_inputs(recipe)
    except SourceError as exc:
        problems.append(str(exc))
        inputs = None
    problems += shape_problems(recipe, inputs)
    problems += calibration_problems(recipe, inputs)
    problems += generative_problems(recipe)
    problems += speech_clip_problems(recipe)
    if problems:
        raise RecipeError(problems, recipe=_label(recipe, problems))


def check_lineage(recipe: dict[str, Any], store: Path, memo: Any) -> None:
    """Before a new version is published: the store's versions of ``recipe['name']`` are of the
    same model (see :mod:`ovbuild.preflight._lineage`); ``memo`` is the store's digest memo."""
    from ovbuild.preflight._lineage import lineage_problems

    problems = lineage_problems(recipe, store, memo)
    if problems:
        raise RecipeError(problems, recipe=recipe.get("name"))


def _label(recipe: dict[str, Any], problems: list[str]) -> str | None:
    name = recipe.get("name")
    return name if isinstance(name, str) and not any(p.startswith("name:") for p in problems) else None


__all__ = ["check_inputs", "check_lineage", "check_recipe"]
