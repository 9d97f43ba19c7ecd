"""``recipe_from_legacy``: the recipe YAML a legacy config stands for, to migrate to recipe files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.compat._legacy import to_yaml, translate


def recipe_from_legacy(
    config: dict[str, Any], name: str = "model", *, store_root: str | Path = "outputs"
) -> str:
    """The recipe YAML equivalent to a legacy config, for migrating to recipe files.

    Inline ``calibration_data`` is written to a content-addressed file under ``store_root`` so the
    recipe can name it.

    Raises:
        RecipeError: the legacy dict has problems; each is named by its legacy key.

    >>> print(recipe_from_legacy({"model_path": "vad.onnx", "precision": "FP16"}))  # doctest: +SKIP
    """
    from ovbuild.config import load_recipe
    from ovbuild.runtime.devices import available_devices

    translation = translate(name, config, store_root=store_root, available=available_devices())
    load_recipe(raw=translation.raw)
    translation.write_pending()
    notes = list(translation.warnings)
    if translation.raw["source"].get("converter", "").startswith("ovbuild.compat.converters:"):
        notes.append(
            "source.converter refers to a callable registered in this process; "
            "replace it with 'module:function'"
        )
    return to_yaml(translation.raw, notes)
