"""Composes a recipe with Hydra from ``conf/`` plus the overlays found in the recipe directories."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ovbuild.config.overrides import normalize_overrides
from ovbuild.config.yaml_limits import check_expansion
from ovbuild.errors import RecipeError

# conf/, recipes/ and data/ as shipped: symlinks into the repository in a source checkout, copies
# in a wheel (pyproject's package-data), so both kinds of install find them here.
BUNDLED = Path(__file__).resolve().parents[1] / "_bundled"


def conf_dir() -> Path:
    """The Hydra config dir: ``$OVBUILD_CONF`` or the bundled ``conf/``."""
    return Path(os.environ.get("OVBUILD_CONF", BUNDLED / "conf")).resolve()


def recipe_dirs() -> list[Path]:
    """Where ``recipe=NAME`` is looked up, first match wins: ``$OVBUILD_RECIPES`` (os.pathsep
    separated), ``./recipes`` of the working directory, then the bundled ``recipes/``."""
    dirs = [Path(p) for p in os.environ.get("OVBUILD_RECIPES", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "recipes", BUNDLED / "recipes"]
    seen: list[Path] = []
    for d in dirs:
        d = d.resolve()
        if d.is_dir() and d not in seen:
            seen.append(d)
    return seen


def known_recipes() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in recipe_dirs():
        for path in sorted(d.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def package_file(package: str, relative: str) -> str:
    """``${pkg_path:pkg,rel}``: a file shipped inside an installed package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        from ovbuild.extras import missing_package_message

        raise RecipeError(missing_package_message(package, f"${{pkg_path:{package},{relative}}}"))
    return str(Path(list(spec.submodule_search_locations)[0]) / relative)


def register_resolvers() -> None:
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("pkg_path"):
        OmegaConf.register_new_resolver("pkg_path", package_file)


def register_schema() -> None:
    """Put the schema into Hydra's ConfigStore, so configs can extend ``schema/recipe``."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from ovbuild.config.schema import FRONTEND_SCHEMAS, Recipe

    cs = ConfigStore.instance()
    cs.store(group="schema", name="recipe", node=Recipe)
    # Untyped defaults at the root of conf/config.yaml: every schema key exists, so any value can
    # be overridden without '+', while type checking stays with ovbuild's validator, which
    # reports every problem at once instead of Hydra's first.
    defaults = OmegaConf.to_container(OmegaConf.structured(Recipe), enum_to_str=True)
    cs.store(name="recipe_defaults", node=OmegaConf.create(defaults))
    for kind, cls in FRONTEND_SCHEMAS.items():
        cs.store(group="schema/frontend", name=kind, node=cls)


def register_recipes(extra: dict[str, Path] | None = None) -> None:
    """Store every recipe file as option ``recipe=<stem>`` (a ``_global_`` overlay) in the ConfigStore,
    then the files given by path (``extra``: ``{name: file}``, see :mod:`ovbuild.config.overrides`).

    Recipes live outside ``conf/`` so a project keeps them in its own ``recipes/`` folder; the
    ConfigStore is how Hydra sees files that are not under a config search path.
    """
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    from ovbuild.target import add_search_dirs

    register_schema()
    register_resolvers()
    cs = ConfigStore.instance()
    recipes = {**known_recipes(), **(extra or {})}
    add_search_dirs(path.parent for path in recipes.values())  # source.factory modules beside them
    for name, path in recipes.items():
        check_expansion(path)
        try:
            node = OmegaConf.load(path)
        except Exception as exc:  # a YAML syntax error names the file, not a Hydra internal
            raise RecipeError(f"cannot parse {path}: {exc}") from exc
        cs.store(group="recipe", name=name, node=node, package="_global_")


def _recipe_name(overrides: list[str]) -> str | None:
    for item in overrides:
        key, _, value = item.partition("=")
        if key.lstrip("+~") == "recipe":
            return value
    return None


def compose_raw(overrides: list[str]) -> dict[str, Any]:
    """Hydra-compose ``conf/config.yaml`` with ``overrides``; plain, resolved, not yet validated."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException, MissingConfigException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from ovbuild.config import _hydra_errors

    normalized = normalize_overrides(overrides)
    overrides = normalized.items
    name = _recipe_name(overrides)
    register_recipes(normalized.recipe_files)
    if name is not None and name not in {**known_recipes(), **normalized.recipe_files}:
        dirs = ", ".join(str(d) for d in recipe_dirs())
        raise RecipeError(_hydra_errors.unknown_recipe(name, known_recipes(), dirs))
    try:
        with initialize_config_dir(str(conf_dir()), version_base=None):
            cfg = compose("config", overrides=overrides)
        raw = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    except (HydraException, OmegaConfBaseException) as exc:
        message = _hydra_errors.rewrite(exc, overrides)
        if message is None:
            lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
            message = lines[0] if isinstance(exc, MissingConfigException) else " ".join(lines[:2])
        raise RecipeError(message, recipe=name) from exc
    return clear_dropped_groups(raw, overrides)


def config_groups() -> set[str]:
    """The config groups of ``conf/`` a recipe chooses from (``precision``, ``validate``, ...)."""
    return {p.name for p in conf_dir().iterdir() if p.is_dir() and p.name != "hydra"}


def clear_dropped_groups(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """``~validate`` (also what ``validate=null`` becomes) means "none": Hydra drops the group's
    config, and here the recipe's own keys under it go too (``validate: {min: 0.9}`` would
    otherwise still gate the build)."""
    groups = config_groups()
    for item in overrides:
        if item.startswith("~") and "=" not in item and item[1:] in groups:
            raw[item[1:]] = None
    return raw


def load_recipe(overrides: list[str] | None = None, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """A validated recipe with defaults filled in, from Hydra overrides or an already composed dict.

    Raises:
        RecipeError: listing every schema problem at once, each with its full key path.

    >>> load_recipe(["recipe=silero_vad"])["source"]["kind"]
    'onnx'
    """
    from ovbuild.config._validate import find_problems, with_defaults

    if raw is None:
        raw = compose_raw(list(overrides or []))
    raw = {k: v for k, v in raw.items() if k != "hydra"}
    problems = find_problems(raw)
    if problems:
        name = raw.get("name")
        label = name if isinstance(name, str) and not any(p.startswith("name:") for p in problems) else None
        raise RecipeError(problems, recipe=label)
    recipe = with_defaults(raw)
    from ovbuild.config.ranges import range_problems
    from ovbuild.config.semantic import recipe_problems

    # a value outside its range first: the checks that read the model would trip over it
    problems = range_problems(recipe) or recipe_problems(recipe)
    if problems:
        raise RecipeError(problems, recipe=recipe.get("name"))
    return recipe
