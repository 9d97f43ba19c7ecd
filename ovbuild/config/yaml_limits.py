"""YAML alias expansion, bounded before a recipe file reaches OmegaConf.

A YAML alias is a reference: a few hundred bytes of nested aliases (the "billion laughs") stand
for billions of values. PyYAML composes them as shared nodes, quickly; OmegaConf then copies
every reference into its own tree and never finishes. Counting the values the document expands
to, over the composed node graph with each shared node counted once per reference (memoized),
takes time in the size of the file, not of the expansion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.errors import RecipeError

#: Far above any real recipe (the largest shipped one expands to a few hundred values).
MAX_VALUES = 100_000
MAX_BYTES = 1 << 20


def check_expansion(path: Path, limit: int = MAX_VALUES) -> None:
    """Raise :class:`RecipeError` naming ``path`` when its YAML expands to more than ``limit`` values.

    A syntax error is left to the real loader, whose message says where it is.
    """
    import yaml

    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise RecipeError(f"cannot parse {path}: {size} bytes; a recipe file holds at most {MAX_BYTES}")
        with open(path, encoding="utf-8") as fh:
            root = yaml.compose(fh, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError):
        return
    try:
        values = 0 if root is None else _expanded(root, {}, limit)
    except RecursionError:
        raise RecipeError(f"cannot parse {path}: its YAML is nested too deeply") from None
    if values > limit:
        raise RecipeError(
            f"cannot parse {path}: its YAML aliases expand to more than {limit} values "
            "(an alias bomb?); write the values out or use fewer nested aliases"
        )


def _expanded(node: Any, seen: dict[int, int], limit: int) -> int:
    """Values ``node`` stands for once every alias is replaced by a copy (capped above ``limit``)."""
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = limit + 1  # a node that contains itself expands forever
    total = 1
    children = node.value if isinstance(node.value, list) else []
    for child in children:
        for part in child if isinstance(child, tuple) else (child,):
            total += _expanded(part, seen, limit)
            if total > limit:
                break
        if total > limit:
            break
    seen[id(node)] = min(total, limit + 1)
    return seen[id(node)]
