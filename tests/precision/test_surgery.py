"""Restoring every unit of a real INT8 detector gives back the float model's outputs."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nudenet") is None, reason="nudenet not installed")


def test_restoring_every_unit_reproduces_the_float_detector() -> None:
    import nncf
    import openvino as ov

    from ovbuild.config import package_file
    from ovbuild.factories.photo_crops import photo_crops
    from ovbuild.precision.auto import fallback_map
    from ovbuild.precision.compile_map import resolve
    from ovbuild.precision.readable import is_generated, unit_rule
    from ovbuild.precision.surgery import (
        float_biases,
        float_weights,
        layer_groups,
        quantized_nodes,
        unquantize,
    )

    core = ov.Core()
    model = core.read_model(package_file("nudenet", "320n.onnx"))
    model.reshape({"images": [1, 3, 320, 320]})
    photos = [
        (c / 255.0).transpose(2, 0, 1)[None].astype(np.float32) for c in photo_crops(count=14, size=320)
    ]
    int8 = nncf.quantize(model.clone(), nncf.Dataset(photos[:10]), subset_size=10)
    weights = float_weights(model)
    units = quantized_nodes(int8, weights)
    restored = unquantize(int8, units, (weights, float_biases(model)))
    f32 = {"INFERENCE_PRECISION_HINT": "f32"}
    reference = core.compile_model(model, "CPU", f32)
    quantized = core.compile_model(int8, "CPU", f32)
    candidate = core.compile_model(restored, "CPU", f32)
    for x in photos[10:]:
        want = reference(x)[0]
        np.testing.assert_allclose(candidate(x)[0], want, rtol=1e-4, atol=1e-3)
        assert np.abs(quantized(x)[0] - want).max() > 0.5  # INT8 really differs: the test can fail
    # Units are named by the source model's names, never by OpenVINO's counters, and a map written
    # with those rules selects exactly those nodes again when pinned in a recipe.
    rules = [unit_rule(model, u, "fp16") for u in units]
    assert all(not is_generated(r.get("name", "x").strip("^$")) for r in rules)
    groups = layer_groups(int8, weights)
    chosen = [m for g in list(groups)[:7] for m in groups[g]]
    pinned = fallback_map(model, chosen, set(weights), "fp16")
    node_map = resolve(model, pinned["default"], pinned["rules"])
    assert {n for n, p in node_map.precision.items() if p != "int8"} == set(chosen)
