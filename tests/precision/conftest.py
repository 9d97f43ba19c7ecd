"""Small real OpenVINO graphs with meaningless node names, built with the opset API."""

from __future__ import annotations

import numpy as np
import pytest


def _named(node, name: str):
    node.set_friendly_name(name)
    return node


def attention_block(seed: int = 0):
    """ids → embedding → norm → Q/K/V → softmax(QKᵀ)·V → decomposed norm → head, names n0..n14."""
    import openvino as ov
    import openvino.opset13 as ops

    rng = np.random.default_rng(seed)
    w = lambda *s: ops.constant(rng.standard_normal(s).astype(np.float32) * 0.3)  # noqa: E731
    ids = ops.parameter([1, 8], ov.Type.i64, name="ids")
    emb = _named(ops.gather(w(50, 16), ids, ops.constant(np.int64(0))), "n0")
    norm = _named(ops.mvn(emb, ops.constant(np.array([-1], np.int64)), True, 1e-5, "inside_sqrt"), "n1")
    q = _named(ops.matmul(norm, w(16, 16), False, False), "n2")
    k = _named(ops.matmul(norm, w(16, 16), False, False), "n3")
    v = _named(ops.matmul(norm, w(16, 16), False, False), "n4")
    scores = _named(ops.matmul(q, k, False, True), "n5")
    probs = _named(ops.softmax(scores, -1), "n6")
    ctx = _named(ops.matmul(probs, v, False, False), "n7")
    sq = _named(ops.multiply(ctx, ctx), "n8")
    mean = _named(ops.reduce_mean(sq, ops.constant(np.array([-1], np.int64)), True), "n9")
    root = _named(ops.sqrt(ops.add(mean, ops.constant(np.float32(1e-6)))), "n10")
    rms = _named(ops.divide(ctx, root), "n11")
    hidden = _named(ops.matmul(rms, w(16, 16), False, False), "n12")
    head = _named(ops.matmul(ops.relu(hidden), w(16, 4), False, False), "n13")
    return ov.Model([head.output(0)], [ids], "attention_block")


def conv_net(seed: int = 0):
    import openvino as ov
    import openvino.opset13 as ops

    rng = np.random.default_rng(seed)
    x = ops.parameter([1, 3, 16, 16], ov.Type.f32, name="image")
    k1 = ops.constant(rng.standard_normal((8, 3, 3, 3)).astype(np.float32))
    k2 = ops.constant(rng.standard_normal((8, 8, 3, 3)).astype(np.float32))
    c1 = _named(ops.convolution(x, k1, [1, 1], [1, 1], [1, 1], [1, 1]), "c1")
    c2 = _named(ops.convolution(ops.relu(c1), k2, [2, 2], [1, 1], [1, 1], [1, 1]), "c2")
    pooled = ops.reduce_mean(c2, ops.constant(np.array([2, 3], np.int64)), False)
    fc = _named(
        ops.matmul(pooled, ops.constant(rng.standard_normal((8, 5)).astype(np.float32)), False, False), "fc"
    )
    return ov.Model([fc.output(0)], [x], "conv_net")


@pytest.fixture
def block():
    return attention_block()


@pytest.fixture
def convnet():
    return conv_net()
