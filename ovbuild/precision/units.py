"""What ``precision: auto`` restores to float together in a transformer: roles and sublayers.

Restoring one MatMul at a time wins back too little to rank reliably in a transformer, whose
INT8 error is spread over every layer, and costs one compile per MatMul. Two coarser kinds of
unit are ranked instead:

- a **role**: the same weighted layer in every repeated block (``encoder.layer.N.output.dense``
  for all N: the FFN down-projections), found by names that differ only in their numbers;
- a **sublayer**: everything between two normalizations (one block's attention, or its FFN),
  found from the graph: a node's sublayer is the number of normalizations upstream of it.

Units are ranked by the accuracy they win back per float weight they restore, since the restored
weights are what the float map pays for in speed.
"""

from __future__ import annotations

import re
from typing import Any

_NUMBER = re.compile(r"\d+")


def sublayers(model: Any) -> dict[str, int]:
    """``{node: number of normalization nodes upstream}`` over ``model``'s nodes."""
    from ovbuild.precision.layers import classify

    norms = {name for name, classes in classify(model).items() if "norm" in classes}
    depth: dict[str, int] = {}
    for node in model.get_ordered_ops():
        level = 0
        for port in range(node.get_input_size()):
            src = node.input_value(port).get_node().get_friendly_name()
            level = max(level, depth.get(src, 0) + (src in norms))
        depth[node.get_friendly_name()] = level
    return depth


def role_of(name: str) -> str:
    """A readable regular expression for ``name`` with every number free: one rule for a role."""
    return "^" + r"\d+".join(re.escape(part) for part in _NUMBER.split(name)) + "$"


def transformer_units(
    float_model: Any, groups: dict[str, list[str]], weights: dict[str, tuple[int, Any]]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Roles and sublayers of a transformer, as ``({unit: [group, ...]}, {unit: float weights})``.

    Args:
        float_model: the float model (its normalizations delimit the sublayers).
        groups: :func:`ovbuild.precision.surgery.layer_groups` of the INT8 model.
        weights: :func:`ovbuild.precision.surgery.float_weights` of the float model.
    """
    depth = sublayers(float_model)
    roles: dict[str, list[str]] = {}
    blocks: dict[int, list[str]] = {}
    for group in groups:
        if group in weights:
            roles.setdefault(role_of(group), []).append(group)
        if group in depth:
            blocks.setdefault(depth[group], []).append(group)
    units = {f"role {r}": g for r, g in roles.items() if len(g) > 1}
    for level, members in sorted(blocks.items()):
        first = next((g for g in members if g in weights), members[0])
        units[f"sublayer {level} ({first})"] = members
    cost = {u: sum(int(weights[g][1].size) for g in members if g in weights) for u, members in units.items()}
    return {u: m for u, m in units.items() if cost[u]}, {u: c for u, c in cost.items() if c}
