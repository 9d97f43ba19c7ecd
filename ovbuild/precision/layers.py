"""Named layer classes found from a graph's structure, not its node names.

ONNX and TFLite graphs often name nodes ``node_123``, so a class is recognised by what a node does:
a MatMul with a constant operand is a ``matmul``; a MatMul between two activations (Q·Kᵀ,
attention·V), a fused ScaledDotProductAttention and the Softmax feeding such a MatMul are
``attention``; a Gather from a constant table indexed by a run-time tensor is an ``embedding``;
MVN / NormalizeL2 / BatchNorm and decomposed ``x / sqrt(mean(x²))`` patterns are ``norm``; the
last weighted layer before each output is the ``head``.
"""

from __future__ import annotations

from typing import Any

CONV_TYPES = frozenset(
    {"Convolution", "GroupConvolution", "ConvolutionBackpropData", "GroupConvolutionBackpropData"}
)
NORM_TYPES = frozenset({"MVN", "NormalizeL2", "BatchNormInference", "GroupNormalization", "RMS"})
# Ops a weight may pass through on its way from a Constant (decompression, layout changes).
_WEIGHT_PATH = frozenset(
    {"Convert", "Reshape", "Transpose", "Unsqueeze", "Squeeze", "Multiply", "Subtract", "FakeQuantize"}
)
_PASS_THROUGH = frozenset({"Reshape", "Transpose", "Convert", "Unsqueeze", "Squeeze", "Multiply", "Add"})


def _producer(node: Any, port: int) -> Any:
    return node.input_value(port).get_node()


def is_constant_path(node: Any, depth: int = 6) -> bool:
    """True when ``node`` computes from Constants only (a weight, possibly decompressed)."""
    if node.get_type_name() == "Constant":
        return True
    if depth == 0 or node.get_type_name() not in _WEIGHT_PATH or node.get_input_size() == 0:
        return False
    return all(is_constant_path(_producer(node, i), depth - 1) for i in range(node.get_input_size()))


def weight_port(node: Any) -> int | None:
    """The input port that carries a constant weight, or ``None`` (activation × activation)."""
    kind = node.get_type_name()
    if kind == "MatMul" or kind in CONV_TYPES:
        for port in (1, 0):
            if is_constant_path(_producer(node, port)):
                return port
        return None
    if kind == "Gather" and is_constant_path(_producer(node, 0)):
        return 0
    return None


def _is_embedding(node: Any) -> bool:
    if node.get_type_name() != "Gather" or not is_constant_path(_producer(node, 0)):
        return False
    table = node.input_value(0).get_partial_shape()
    # A lookup table is at least 2-D and indexed by something computed at run time.
    return table.rank.is_static and table.rank.get_length() >= 2 and not is_constant_path(_producer(node, 1))


def _feeds_activation_matmul(node: Any, depth: int = 3) -> bool:
    for out in node.outputs():
        for target in out.get_target_inputs():
            consumer = target.get_node()
            if consumer.get_type_name() == "MatMul" and weight_port(consumer) is None:
                return True
            if depth and consumer.get_type_name() in _PASS_THROUGH:
                if _feeds_activation_matmul(consumer, depth - 1):
                    return True
    return False


def _is_decomposed_norm(node: Any) -> bool:
    """``x / sqrt(mean(x²) + eps)`` (or ``x * rsqrt``) spelled out with elementary ops."""
    if node.get_type_name() not in ("Divide", "Multiply"):
        return False
    for i in range(node.get_input_size()):
        cur = _producer(node, i)
        for _ in range(3):
            if cur.get_type_name() in ("Sqrt", "Power"):
                inner = _producer(cur, 0)
                for _ in range(3):
                    if inner.get_type_name() in ("ReduceMean", "ReduceSum"):
                        return True
                    if inner.get_input_size() == 0:
                        break
                    inner = _producer(inner, 0)
                break
            if cur.get_input_size() == 0:
                break
            cur = _producer(cur, 0)
    return False


def _heads(model: Any) -> set[str]:
    """The last weighted layer on the way back from each output."""
    heads: set[str] = set()
    for result in model.get_results():
        seen: set[str] = set()
        frontier = [_producer(result, 0)]
        while frontier:
            node = frontier.pop(0)
            name = node.get_friendly_name()
            if name in seen:
                continue
            seen.add(name)
            kind = node.get_type_name()
            if (kind == "MatMul" or kind in CONV_TYPES) and weight_port(node) is not None:
                heads.add(name)
                continue
            frontier.extend(_producer(node, i) for i in range(node.get_input_size()))
    return heads


def has_attention(classes: dict[str, set[str]]) -> bool:
    """Whether any node of a :func:`classify` result is attention (a transformer graph)."""
    return any("attention" in c for c in classes.values())


def classify(model: Any) -> dict[str, set[str]]:
    """Every node's layer classes.

    Args:
        model: an ``ov.Model``.

    Returns:
        ``{friendly name: {class, ...}}`` for every node that belongs to at least one class.

    >>> classify(model)["__module.encoder.layer.0.attention.self.query/aten::linear/MatMul"]  # doctest: +SKIP
    {'matmul'}
    """
    classes: dict[str, set[str]] = {}
    heads = _heads(model)
    for node in model.get_ordered_ops():
        kind, name = node.get_type_name(), node.get_friendly_name()
        found: set[str] = set()
        if kind == "MatMul":
            found.add("matmul" if weight_port(node) is not None else "attention")
        elif kind in CONV_TYPES and weight_port(node) is not None:
            found.add("conv")
        elif kind == "ScaledDotProductAttention":
            found.add("attention")
        elif kind == "Softmax" or kind == "LogSoftmax":
            found.add("softmax")
            if _feeds_activation_matmul(node):
                found.add("attention")
        elif _is_embedding(node):
            found.add("embedding")
        elif kind in NORM_TYPES or _is_decomposed_norm(node):
            found.add("norm")
        if name in heads:
            found.add("head")
        if found:
            classes[name] = found
    return classes


def weighted_nodes(model: Any) -> list[str]:
    """Names of the nodes whose weights a weight-only scheme would compress, in graph order."""
    names = []
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        if (kind == "MatMul" or kind in CONV_TYPES or kind == "Gather") and weight_port(node) is not None:
            if kind != "Gather" or _is_embedding(node):
                names.append(node.get_friendly_name())
    return names
