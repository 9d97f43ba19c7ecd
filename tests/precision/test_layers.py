"""Layer classes come from graph structure: the nodes here are named n0..n13."""

from __future__ import annotations

from ovbuild.precision.layers import classify, weighted_nodes


def test_attention_block_classes_from_structure(block) -> None:
    classes = classify(block)
    assert classes["n0"] == {"embedding"}
    assert classes["n1"] == {"norm"}
    assert all(classes[n] == {"matmul"} for n in ("n2", "n3", "n4", "n12"))
    # Q·Kᵀ and attention·V multiply two activations; their Softmax belongs to attention too.
    assert classes["n5"] == {"attention"} and classes["n7"] == {"attention"}
    assert classes["n6"] == {"softmax", "attention"}
    assert classes["n11"] == {"norm"}  # x / sqrt(mean(x²) + eps), spelled out
    assert classes["n13"] == {"matmul", "head"}
    assert "head" not in classes["n12"]


def test_conv_net_classes_and_weighted_nodes(convnet) -> None:
    classes = classify(convnet)
    assert classes["c1"] == {"conv"} and classes["c2"] == {"conv"}
    assert classes["fc"] == {"matmul", "head"}
    assert weighted_nodes(convnet) == ["c1", "c2", "fc"]


def test_weighted_nodes_skip_activation_matmuls(block) -> None:
    assert weighted_nodes(block) == ["n0", "n2", "n3", "n4", "n12", "n13"]
