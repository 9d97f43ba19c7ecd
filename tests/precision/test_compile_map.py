"""Precision maps resolved on real graphs and compiled through real NNCF / OpenVINO."""

from __future__ import annotations

import logging

import numpy as np
import openvino as ov
import pytest

from ovbuild.errors import RecipeError
from ovbuild.pins import pin_f32_in_xml, runtime_precision_of
from ovbuild.precision.compile_map import apply_map, resolve, set_dynamic_quantization


def _weight_types(model) -> dict[str, str]:
    """Element type of the Constant at the root of each MatMul/Gather weight."""
    from ovbuild.precision.layers import weight_port

    out = {}
    for node in model.get_ordered_ops():
        port = weight_port(node) if node.get_type_name() in ("MatMul", "Gather") else None
        if port is None:
            continue
        src = node.input_value(port).get_node()
        while src.get_type_name() != "Constant":
            src = src.input_value(0).get_node()
        out[node.get_friendly_name()] = src.get_element_type().get_type_name()
    return out


def _fed_by_fake_quantize(model, name: str) -> bool:
    node = next(n for n in model.get_ordered_ops() if n.get_friendly_name() == name)
    return any(node.input_value(i).get_node().get_type_name() == "FakeQuantize" for i in range(2))


def test_first_matching_rule_wins_and_unmatched_rules_warn(block, caplog) -> None:
    rules = [
        {"layer": "attention", "precision": "fp16"},
        {"layer": "matmul", "name": "^n1[23]$", "precision": "fp32"},
        {"op_type": "matmul", "precision": "int8_weights"},
        {"name": "^no_such_node$", "precision": "fp32"},
    ]
    with caplog.at_level(logging.WARNING, logger="ovbuild.precision"):
        node_map = resolve(block, "int8", rules)
    p = node_map.precision
    assert p["n5"] == p["n6"] == p["n7"] == "fp16"
    assert p["n12"] == p["n13"] == "fp32"
    assert p["n2"] == p["n3"] == p["n4"] == "int8_weights"
    assert p["n0"] == p["n1"] == "int8"
    assert node_map.rule_hits == [3, 2, 3, 0]
    assert "precision.rules[3]" in caplog.text and "no_such_node" in caplog.text


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"precision": "fp16"}, "precision.rules[0]: give at least one of"),
        ({"name": "([", "precision": "fp16"}, "precision.rules[0].name: bad regular expression"),
        ({"layer": "norm", "precision": "auto"}, "precision.rules[0].precision"),
    ],
)
def test_bad_rules_name_the_key(block, rule, message) -> None:
    with pytest.raises(RecipeError, match=message.replace("[", r"\[").replace("(", r"\(")):
        resolve(block, "int8", [rule])


def test_weight_only_int8_and_fp16_rules_change_only_their_nodes(block) -> None:
    rules = [{"name": "^n1[23]$", "precision": "fp16"}]
    node_map = resolve(block, "int8_weights", rules)
    model, summary = apply_map(block, node_map, [], {"default": "int8_weights", "sym": False})
    types = _weight_types(model)
    assert types["n2"] == types["n3"] == types["n4"] == "u8"  # INT8 asym weights
    assert types["n12"] == types["n13"] == "f16"
    assert summary["nncf_compress_weights"] == ["int8_weights"] and summary["fp16_weights"] == 2


def test_static_int8_ignores_nodes_kept_out(block) -> None:
    rng = np.random.default_rng(1)
    samples = [{"ids": rng.integers(0, 50, (1, 8))} for _ in range(8)]
    node_map = resolve(block, "int8", [{"name": "^n13$", "precision": "fp16"}])
    model, summary = apply_map(block.clone(), node_map, samples, {"default": "int8"})
    assert _fed_by_fake_quantize(model, "n12")
    assert not _fed_by_fake_quantize(model, "n13")
    assert "nncf_quantize" in summary


def test_static_int8_without_calibration_is_a_clear_error(block) -> None:
    from ovbuild.errors import StageError

    with pytest.raises(StageError, match="calibration"):
        apply_map(block, resolve(block, "int8", []), [], {"default": "int8"})


def test_f32_pin_in_ir_is_honoured_by_the_cpu(block, tmp_path) -> None:
    core = ov.Core()
    if str(core.compile_model(block, "CPU").get_property("INFERENCE_PRECISION_HINT")) == "<Type: 'float32'>":
        pytest.skip("this CPU already runs f32 by default; nothing to pin against")
    xml = tmp_path / "m.xml"
    ov.save_model(block, xml, compress_to_fp16=False)
    assert pin_f32_in_xml(xml, ["n12"]) == 1
    compiled = core.compile_model(core.read_model(xml), "CPU")
    seen = runtime_precision_of(compiled, ["n12", "n2"])
    assert seen["n12"] == "f32"
    assert seen["n2"] != "f32"  # the unpinned neighbour still runs in the default low precision


def test_dynamic_quantization_group_size_travels_in_the_model(block) -> None:
    assert set_dynamic_quantization(block, 64) == {"DYNAMIC_QUANTIZATION_GROUP_SIZE": "64"}
    compiled = ov.Core().compile_model(block, "CPU")
    assert int(compiled.get_property("DYNAMIC_QUANTIZATION_GROUP_SIZE")) == 64


def test_int4_weights_with_groups(block) -> None:
    node_map = resolve(block, "int4_weights", [{"layer": "embedding", "precision": "fp32"}])
    cfg = {"default": "int4_weights", "group_size": 8, "ratio": 1.0, "sym": False}
    model, summary = apply_map(block, node_map, [], cfg)
    types = _weight_types(model)
    assert types["n2"] == types["n12"] == "u4"
    assert types["n0"] == "f32"  # the embedding rule kept it out
    assert summary["nncf_compress_weights"] == ["int4_weights"]
