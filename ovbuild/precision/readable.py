"""Precision rules in names a person can read and pin.

A node keeps its source model's name (``/model.22/cv3.0/cv3.0.0/conv/Conv``,
``__module.encoder.layer.0...``) when it has one. Nodes OpenVINO created during conversion get
names such as ``Multiply_9851`` that change between conversions, so they are named by a stable
pattern instead: their op type plus the nearest producer that has a source name
(``{op_type: Multiply, after: ^/model.0/conv/Conv$}``).
"""

from __future__ import annotations

import re
from typing import Any

_GENERATED = re.compile(r"^[A-Za-z][A-Za-z0-9]*_\d+$")


def is_generated(name: str) -> bool:
    return bool(_GENERATED.match(name))


def _named_producer(node: Any) -> str | None:
    """The first direct producer (through decompression and quantizers) with a source name."""
    for port in range(node.get_input_size()):
        src = node.input_value(port).get_node()
        while src.get_type_name() in ("Convert", "FakeQuantize") and src.get_input_size():
            src = src.input_value(0).get_node()
        if src.get_type_name() != "Constant" and not is_generated(src.get_friendly_name()):
            return src.get_friendly_name()
    return None


def unit_rule(model: Any, name: str, precision: str) -> dict[str, Any]:
    """A rule that selects node ``name`` of ``model`` by a readable, stable matcher."""
    if not is_generated(name):
        return {"name": f"^{re.escape(name)}$", "precision": precision}
    node = next(n for n in model.get_ordered_ops() if n.get_friendly_name() == name)
    producer = _named_producer(node)
    if producer is None:
        return {"name": f"^{re.escape(name)}$", "precision": precision}
    return {"op_type": node.get_type_name(), "after": f"^{re.escape(producer)}$", "precision": precision}
