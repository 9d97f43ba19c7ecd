"""Recipe configuration: the schema, Hydra composition and validation."""

from ovbuild.config._compose import (
    BUNDLED,
    clear_dropped_groups,
    compose_raw,
    conf_dir,
    known_recipes,
    load_recipe,
    package_file,
    register_recipes,
)
from ovbuild.config._validate import find_problems

__all__ = [
    "BUNDLED",
    "clear_dropped_groups",
    "compose_raw",
    "conf_dir",
    "find_problems",
    "known_recipes",
    "load_recipe",
    "package_file",
    "register_recipes",
]
