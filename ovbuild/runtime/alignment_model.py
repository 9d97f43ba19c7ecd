"""The alignment decoder word timestamps read: the artifact's decoder IR with one more output,
the alignment heads' cross-attention scores (read again at load time, so no artifact needs
rebuilding). The scores are recomputed as the scaled query-key products from the query and key
feeding each cross-attention; which heads, the model's own table says (CTranslate2's
``alignment_heads``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

ALIGNMENT_OUTPUT = "alignment_scores"


def alignment_heads(generation: dict[str, Any], layers: int, heads: int) -> list[tuple[int, int]]:
    """(layer, head) pairs whose cross-attention follows the speech: the model's own table
    (``alignment_heads`` in ``generation_config.json``, from CTranslate2's ``config.json``), else
    every head of the last half of the decoder layers."""
    table = [(int(layer), int(head)) for layer, head in generation.get("alignment_heads") or []]
    if table:
        return table
    return [(layer, head) for layer in range(layers // 2, layers) for head in range(heads)]


def _cross_attentions(model: Any) -> dict[int, Any]:
    """Decoder layer index -> its cross-attention ``ScaledDotProductAttention`` node."""
    found = {}
    for node in model.get_ordered_ops():
        if node.get_type_name() != "ScaledDotProductAttention":
            continue
        match = re.search(r"layers\.(\d+)\.encoder_attn", node.get_friendly_name())
        if match:
            found[int(match.group(1))] = node
    return found


def decoder_shape(model: Any) -> tuple[int, int]:
    """(decoder layers, attention heads) of the decoder IR ``model``."""
    cross = _cross_attentions(model)
    if not cross:
        return 0, 0
    return len(cross), int(next(iter(cross.values())).input_value(0).get_partial_shape()[1].get_length())


def alignment_decoder(model: Any, heads: list[tuple[int, int]]) -> Any:
    """``model`` (the stateful decoder IR, modified in place) with one more output,
    :data:`ALIGNMENT_OUTPUT` ``[batch, len(heads), tokens, frames]``: for each (layer, head), the
    cross-attention scores before the softmax (query . key x scale), recomputed from the query and
    key the layer's attention reads.

    Raises:
        ValueError: the decoder has no recognizable cross-attention for a listed layer.
    """
    import openvino.opset15 as ops

    cross = _cross_attentions(model)
    if not cross or not heads:
        raise ValueError(
            "word timestamps: the decoder IR has no recognizable cross-attention "
            "(no ScaledDotProductAttention named 'layers.N.encoder_attn'), so no alignment heads"
        )
    scores_of: dict[int, Any] = {}
    rows = []
    for layer, head in heads:
        if layer not in cross:
            raise ValueError(
                f"word timestamps: the decoder has no recognizable cross-attention in layer {layer} "
                f"(found layers {sorted(cross)})"
            )
        if layer not in scores_of:
            sdpa = cross[layer]
            query, key = sdpa.input_value(0), sdpa.input_value(1)
            scores = ops.matmul(query, key, transpose_a=False, transpose_b=True)
            if sdpa.get_input_size() >= 5:
                scale = sdpa.input_value(4)
            else:  # the operation's default scale
                depth = query.get_partial_shape()[3].get_length()
                scale = ops.constant(np.float32(1.0 / np.sqrt(depth)))
            scores_of[layer] = ops.multiply(scores, ops.convert_like(scale, scores))
        rows.append(
            ops.gather(scores_of[layer], ops.constant(np.array([head], np.int64)), ops.constant(np.int64(1)))
        )
    out = rows[0] if len(rows) == 1 else ops.concat(rows, axis=1)
    result = ops.result(ops.convert(out, "f32"))
    result.output(0).set_names({ALIGNMENT_OUTPUT})
    model.add_results([result])
    model.validate_nodes_and_infer_types()
    return model
