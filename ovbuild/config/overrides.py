"""Command-line overrides made to mean what the README says, before Hydra sees them.

- ``recipe=`` takes a name (looked up in the recipe directories) or a path to a YAML file.
- A dotted key (``inputs.input=[1,512]``, ``validate.target=m:f``, ``source.args.x=1``) sets the
  value whether or not the composed config already has the key: it becomes Hydra's ``++`` form
  (add or override), so no documented key needs a ``+``. Group choices (``precision=int8``),
  ``hydra.*`` keys and overrides already carrying ``+``/``++``/``~`` pass unchanged.
- ``validate=null`` (any config group set to null/none) means "none": it becomes ``~validate``
  (see :func:`ovbuild.config._compose.clear_dropped_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ovbuild.errors import RecipeError

_YAML = (".yaml", ".yml")


@dataclass(frozen=True)
class Overrides:
    """Normalized overrides plus the recipe files given by path (``{name: file}``)."""

    items: list[str]
    recipe_files: dict[str, Path] = field(default_factory=dict)


def _is_path(value: str) -> bool:
    return value.endswith(_YAML) or "/" in value or value.startswith((".", "~"))


def _recipe(value: str) -> tuple[str, Path | None]:
    if not _is_path(value) or "," in value:
        return value, None
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise RecipeError(f"recipe={value}: no such recipe file {path}")
    return path.stem, path


def normalize_overrides(overrides: list[str]) -> Overrides:
    """Rewrite ``overrides`` as described in the module docstring.

    >>> normalize_overrides(["recipe=minilm", "inputs.input_ids=[1,64]", "precision=int8"]).items
    ['recipe=minilm', '++inputs.input_ids=[1,64]', 'precision=int8']
    """
    from ovbuild.config._compose import config_groups

    groups = config_groups()
    items: list[str] = []
    files: dict[str, Path] = {}
    for item in overrides:
        key, eq, value = item.partition("=")
        if not eq or item.startswith(("-", "+", "~")):
            items.append(item)
        elif key in groups and value.strip().lower() in ("null", "none"):
            items.append(f"~{key}")
        elif key == "recipe":
            name, path = _recipe(value)
            if path is not None:
                files[name] = path
            items.append(f"recipe={name}")
        elif "." in key and not key.startswith("hydra.") and "/" not in key:
            items.append(f"++{item}")
        else:
            items.append(item)
    return Overrides(items, files)
