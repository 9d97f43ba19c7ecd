"""Per-layer costs read from OpenVINO's performance counters, charged to the search's units."""

from __future__ import annotations

import numpy as np


def _two_convs():
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([1, 8, 32, 32], np.float32, name="x")
    rng = np.random.default_rng(0)
    a = ops.convolution(
        x, ops.constant(rng.normal(size=(16, 8, 3, 3)).astype(np.float32)), [1, 1], [1, 1], [1, 1], [1, 1]
    )
    a.set_friendly_name("conv_a")
    r = ops.relu(a)
    r.set_friendly_name("relu_a")
    b = ops.convolution(
        r, ops.constant(rng.normal(size=(8, 16, 3, 3)).astype(np.float32)), [1, 1], [1, 1], [1, 1], [1, 1]
    )
    b.set_friendly_name("conv_b")
    return ov.Model([b], [x]), {"x": rng.normal(size=(1, 8, 32, 32)).astype(np.float32)}


def test_every_executed_node_is_charged_to_its_unit_or_other() -> None:
    import openvino as ov

    from ovbuild.precision.profile import owners, savings, unit_costs

    model, sample = _two_convs()
    units = {"conv_a": ["conv_a", "relu_a"], "conv_b": ["conv_b"]}
    costs = unit_costs(
        ov.Core(), model, {"INFERENCE_PRECISION_HINT": "f32"}, sample, owners(model, units), runs=3
    )
    assert costs["conv_a"]["ms"] > 0 and costs["conv_b"]["ms"] > 0
    parts = sum(c["ms"] for u, c in costs.items() if u != "(total)")
    assert abs(parts - costs["(total)"]["ms"]) < 1e-3  # nothing counted twice, nothing lost
    saved = savings(costs, {u: {**c, "ms": c["ms"] / 2} for u, c in costs.items()})
    assert saved["conv_a"]["saved_ms"] > 0 and saved["conv_a"]["int8_ms"] < saved["conv_a"]["float_ms"]


def test_each_runs_time_is_recovered_from_the_running_means_the_counters_report() -> None:
    from ovbuild.precision.profile import per_run

    # one slow first run (192 ms), then 0.1 ms runs: the running mean decays, each run does not
    assert [round(x, 3) for x in per_run([192.456, 96.279, 64.218])] == [192.456, 0.102, 0.096]
