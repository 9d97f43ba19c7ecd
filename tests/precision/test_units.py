"""Roles and sublayers of a real (small, statically quantized) transformer graph."""

from __future__ import annotations

import re

import numpy as np
import pytest

HIDDEN, FFN = 32, 64


def _encoder(layers: int = 2, seed: int = 0):
    """A post-norm encoder (attention, add, MVN, FFN, add, MVN per layer) named like PyTorch exports."""
    import openvino as ov
    import openvino.opset13 as ops

    rng = np.random.default_rng(seed)

    def linear(x, rows, cols, name):
        node = ops.matmul(
            x, ops.constant(rng.standard_normal((rows, cols)).astype(np.float32) * 0.2), False, False
        )
        node.set_friendly_name(f"__module.encoder.layer.{name}/aten::linear/MatMul")
        return node

    def norm(x):
        return ops.mvn(x, ops.constant(np.array([-1], np.int64)), True, 1e-5, "inside_sqrt")

    x = ops.parameter([1, 8, HIDDEN], ov.Type.f32, name="hidden")
    h = norm(x)
    for i in range(layers):
        q, k, v = (linear(h, HIDDEN, HIDDEN, f"{i}.attention.self.{n}") for n in ("query", "key", "value"))
        probs = ops.softmax(ops.matmul(q, k, False, True), -1)
        attn = linear(ops.matmul(probs, v, False, False), HIDDEN, HIDDEN, f"{i}.attention.output.dense")
        h = norm(ops.add(h, attn))
        up = ops.relu(linear(h, HIDDEN, FFN, f"{i}.intermediate.dense"))
        h = norm(ops.add(h, linear(up, FFN, HIDDEN, f"{i}.output.dense")))
    return ov.Model([h.output(0)], [x], "encoder")


@pytest.fixture(scope="module")
def quantized():
    import nncf

    from ovbuild.precision.layers import weighted_nodes
    from ovbuild.precision.surgery import float_weights, layer_groups

    rng = np.random.default_rng(1)
    data = [{"hidden": rng.standard_normal((1, 8, HIDDEN)).astype(np.float32)} for _ in range(8)]
    int8 = nncf.quantize(_encoder(), nncf.Dataset(data), subset_size=8, model_type=nncf.ModelType.TRANSFORMER)
    model = _encoder()
    return model, layer_groups(int8, weighted_nodes(model)), float_weights(model)


def test_units_are_roles_across_layers_and_sublayers_between_norms(quantized) -> None:
    from ovbuild.precision.units import transformer_units

    model, groups, weights = quantized
    units, cost = transformer_units(model, groups, weights)
    roles = {u: m for u, m in units.items() if u.startswith("role ")}
    sublayers = [m for u, m in units.items() if u.startswith("sublayer ")]
    # one role per position in the block, each holding that layer of both blocks
    assert len(roles) == 6 and all(len(m) == 2 for m in roles.values())
    down = next(u for u in roles if "output" in u and "attention" not in u)
    pattern = re.compile(down.removeprefix("role "))
    assert all(pattern.match(f"__module.encoder.layer.{i}.output.dense/aten::linear/MatMul") for i in (0, 1))
    # attention of block 0, its FFN, attention of block 1, its FFN: each between two norms
    kinds = [sorted({g.split(".")[4] for g in m if g in weights}) for m in sublayers]
    assert kinds == [["attention"], ["intermediate", "output"]] * 2
    assert cost[down] == 2 * FFN * HIDDEN  # the float weights the unit restores
    # every weighted layer is in exactly one sublayer: restoring them all restores the model
    assert sorted(g for m in sublayers for g in m if g in weights) == sorted(weights)


def test_role_rule_is_a_readable_pattern_over_every_layer_number() -> None:
    from ovbuild.precision.units import role_of

    rule = role_of("__module.encoder.layer.11.output.dense/aten::linear/MatMul")
    assert rule == r"^__module\.encoder\.layer\.\d+\.output\.dense/aten::linear/MatMul$"
    assert re.match(rule, "__module.encoder.layer.3.output.dense/aten::linear/MatMul")
    assert not re.match(rule, "__module.encoder.layer.3.attention.output.dense/aten::linear/MatMul")
