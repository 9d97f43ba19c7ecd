"""Pin nodes to f32 execution through the serialized IR.

The CPU plugin ignores runtime-info strings set from Python, but honours a
``DisablePrecisionConversion`` attribute present in the IR's ``<rt_info>``; so the pins are
written into ``model.xml`` after it is saved, and read back from the compiled model to verify.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

_PIN = {"name": "DisablePrecisionConversion", "version": "0", "value": "dynamic:f16"}


def pin_f32_in_xml(xml: Path, names: list[str] | set[str]) -> int:
    """Add the f32 pin to every layer of ``xml`` named in ``names``; returns how many were pinned.

    Args:
        xml: a saved ``model.xml`` (edited in place; the ``.bin`` is untouched).
        names: friendly names of the nodes to pin.

    Returns:
        The number of layers that carry the pin afterwards.
    """
    wanted = set(names)
    if not wanted:
        return 0
    tree = ET.parse(xml)
    pinned = 0
    for layer in tree.getroot().iter("layer"):
        if layer.get("name") not in wanted:
            continue
        rt = layer.find("rt_info")
        if rt is None:
            rt = ET.Element("rt_info")
            layer.insert(0, rt)
        if not any(a.get("name") == _PIN["name"] for a in rt.findall("attribute")):
            ET.SubElement(rt, "attribute", dict(_PIN))
        pinned += 1
    tree.write(xml, encoding="utf-8", xml_declaration=True)
    return pinned


class RuntimeNode(NamedTuple):
    """One node of a compiled model's runtime graph, as the plugin reports it."""

    name: str  # the runtime node's friendly name
    layer: str  # the plugin's layer type (e.g. ``FullyConnected``), else the op type
    precision: str | None  # what it executes in (``f32``, ``bf16``, ``i8``...), when reported
    originals: tuple[str, ...]  # the names of the model nodes fused into it


def runtime_nodes(compiled: Any) -> Iterator[RuntimeNode]:
    """Every node of ``compiled.get_runtime_model()``: the one reader of runtime precisions."""
    for node in compiled.get_runtime_model().get_ordered_ops():
        rt = node.get_rt_info()
        originals = rt["originalLayersNames"].astype(str).split(",") if "originalLayersNames" in rt else []
        yield RuntimeNode(
            node.get_friendly_name(),
            rt["layerType"].astype(str) if "layerType" in rt else node.get_type_name(),
            rt["runtimePrecision"].astype(str) if "runtimePrecision" in rt else None,
            tuple(originals),
        )


def runtime_precision_of(compiled: Any, names: list[str] | set[str]) -> dict[str, str]:
    """``{original node name: runtime precision}`` read back from ``get_runtime_model()``."""
    wanted = set(names)
    found: dict[str, str] = {}
    for node in runtime_nodes(compiled):
        if node.precision is not None:
            found.update((original, node.precision) for original in node.originals if original in wanted)
    return found
