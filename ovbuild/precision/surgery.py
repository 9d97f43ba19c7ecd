"""Estimate "this INT8 model with these layers in float" without re-running NNCF.

A *unit* is a compute node fed by an activation quantizer. Restoring a unit undoes everything
static INT8 changed for it: its inputs are taken from before their FakeQuantize (and SmoothQuant
scale), its weight is the float weight again, and the bias constants right after it get back the
values NNCF's fast bias correction replaced. With every unit restored the graph computes what
the float model computes (``tests/precision/test_surgery.py`` holds that on a real detector).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_BIAS_OPS = frozenset({"Add", "Subtract"})


def _constant_value(output: Any) -> np.ndarray | None:
    """The float value behind an input (a Constant, or a Convert of one), else ``None``."""
    node = output.get_node()
    if node.get_type_name() == "Convert" and node.input_value(0).get_node().get_type_name() == "Constant":
        node = node.input_value(0).get_node()
    if node.get_type_name() != "Constant":
        return None
    return node.get_data().astype(np.float32)


def float_weights(model: Any) -> dict[str, tuple[int, np.ndarray]]:
    """``{weighted node: (weight port, float weight)}`` of the float model."""
    from ovbuild.precision.layers import weight_port

    out = {}
    for node in model.get_ordered_ops():
        port = weight_port(node) if node.get_type_name() != "Gather" else None
        if port is not None:
            value = _constant_value(node.input_value(port))
            if value is not None:
                out[node.get_friendly_name()] = (port, value)
    return out


def float_biases(model: Any) -> dict[str, tuple[int, np.ndarray]]:
    """``{Add/Subtract node: (constant port, float value)}``: the constants bias correction edits."""
    out = {}
    for node in model.get_ordered_ops():
        if node.get_type_name() in _BIAS_OPS:
            for port in range(node.get_input_size()):
                value = _constant_value(node.input_value(port))
                if value is not None:
                    out[node.get_friendly_name()] = (port, value)
    return out


def _unquantized_source(output: Any) -> Any:
    """Walk back from an input through FakeQuantize and SmoothQuant scaling to the float tensor."""
    node = output.get_node()
    while node.get_type_name() == "FakeQuantize" or (
        node.get_type_name() == "Multiply" and "smooth_quant" in node.get_friendly_name()
    ):
        output = node.input_value(0)
        node = output.get_node()
    return output


def _restore_bias(node: Any, biases: dict[str, tuple[int, np.ndarray]]) -> None:
    import openvino.opset13 as ops

    for out in node.outputs():
        for target in list(out.get_target_inputs()):
            consumer = target.get_node()
            saved = biases.get(consumer.get_friendly_name())
            if saved is not None and consumer.get_type_name() in _BIAS_OPS:
                port, value = saved
                consumer.input(port).replace_source_output(ops.constant(value).output(0))


def unquantize(int8_model: Any, nodes: list[str] | set[str], float_model_parts: tuple[dict, dict]) -> Any:
    """A clone of the INT8 model where ``nodes`` compute in float again.

    Args:
        int8_model: the statically quantized model (not modified).
        nodes: units to restore.
        float_model_parts: ``(float_weights(float), float_biases(float))``.
    """
    import openvino.opset13 as ops

    weights, biases = float_model_parts
    clone = int8_model.clone()
    wanted = set(nodes)
    for node in clone.get_ordered_ops():
        name = node.get_friendly_name()
        if name not in wanted:
            continue
        weight = weights.get(name)
        for port in range(node.get_input_size()):
            if weight is not None and port == weight[0]:
                node.input(port).replace_source_output(ops.constant(weight[1]).output(0))
            else:
                node.input(port).replace_source_output(_unquantized_source(node.input_value(port)))
        _restore_bias(node, biases)
    return clone


def quantized_nodes(int8_model: Any, weighted: list[str] | set[str]) -> list[str]:
    """The units, in graph order: nodes fed by an activation quantizer, and the float model's
    ``weighted`` nodes (a layer after a Split reads an upstream quantizer but has its own
    quantized weight)."""
    from ovbuild.precision.layers import is_constant_path

    weighted = set(weighted)
    names = []
    for node in int8_model.get_ordered_ops():
        if node.get_type_name() == "FakeQuantize":
            continue
        if node.get_friendly_name() in weighted:
            names.append(node.get_friendly_name())
            continue
        for port in range(node.get_input_size()):
            src = node.input_value(port).get_node()
            if src.get_type_name() == "FakeQuantize" and not is_constant_path(src.input_value(0).get_node()):
                names.append(node.get_friendly_name())
                break
    return names


def layer_groups(int8_model: Any, weighted: list[str] | set[str]) -> dict[str, list[str]]:
    """Units grouped into layers: each weighted node with the quantized nodes downstream of it up
    to the next weighted node (its bias, activation, residual add...), in graph order. Restoring a
    whole layer is what keeping it out of INT8 does; restoring every layer restores every unit."""
    weighted = set(weighted)
    units = set(quantized_nodes(int8_model, weighted))
    owner: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for node in int8_model.get_ordered_ops():
        name = node.get_friendly_name()
        if name in weighted:
            owner[name] = name
        else:
            for port in range(node.get_input_size()):
                src = _unquantized_source(node.input_value(port)).get_node().get_friendly_name()
                if src in owner:
                    owner[name] = owner[src]
                    break
        if name in units:
            groups.setdefault(owner.get(name, name), []).append(name)
    return groups
