"""Device plans: exact device strings and properties with and without a GPU, and real compiles here."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.runtime.devices import (
    DevicePlanError,
    available_devices,
    compile_with_plan,
    parse_priorities,
    plan_devices,
)

GPU_HERE = ["CPU", "GPU.0"]
CPU_ONLY = ["CPU"]


# ---- parse_priorities -------------------------------------------------------------------------------


def test_parse_plain_and_indexed_names():
    assert parse_priorities(["CPU", "GPU.1", "npu"]) == [("CPU", 1.0), ("GPU.1", 1.0), ("NPU", 1.0)]


def test_parse_legacy_weights_sorted_desc_and_stable():
    assert parse_priorities(["CPU(1.0)", "GPU(1.5)"]) == [("GPU", 1.5), ("CPU", 1.0)]
    assert parse_priorities(["NPU", "CPU(2)", "GPU.1", "GPU.0(0.5)"]) == [
        ("CPU", 2.0),
        ("NPU", 1.0),
        ("GPU.1", 1.0),
        ("GPU.0", 0.5),
    ]


@pytest.mark.parametrize("item", ["GPU(", "GPU(fast)", "(1.5)", "GPU 1.5", "GPU(1.5", "", "CPU,GPU"])
def test_parse_malformed_names_the_item(item):
    with pytest.raises(ValueError, match="malformed device priority") as err:
        parse_priorities([item])
    assert repr(item) in str(err.value)


@pytest.mark.parametrize("item", ["TPU", "FPGA(2.0)", "cuda.0"])
def test_parse_unknown_device_names_it(item):
    with pytest.raises(ValueError, match="unknown device") as err:
        parse_priorities(["CPU", item])
    assert repr(item) in str(err.value)


# ---- plans with an injected device list --------------------------------------------------------------

GPU_FIRST = {"priorities": ["GPU(1.5)", "CPU(1.0)"], "performance_hint": "LATENCY"}


def test_single_gpu_present():
    plan = plan_devices({**GPU_FIRST, "mode": "single"}, GPU_HERE)
    assert plan.device == "GPU"
    assert plan.properties == {"PERFORMANCE_HINT": "LATENCY"}
    assert plan.used == ["GPU"] and plan.dropped == [] and plan.warnings == []


def test_single_gpu_absent_falls_to_cpu_with_one_warning():
    plan = plan_devices({**GPU_FIRST, "mode": "single"}, CPU_ONLY)
    assert plan.device == "CPU"
    assert plan.used == ["CPU"] and plan.dropped == ["GPU"]
    assert len(plan.warnings) == 1 and "GPU" in plan.warnings[0]


def test_auto_gpu_present_and_absent():
    present = plan_devices({**GPU_FIRST, "mode": "auto"}, GPU_HERE)
    assert present.device == "AUTO:GPU,CPU"
    assert present.properties == {"PERFORMANCE_HINT": "LATENCY"}
    absent = plan_devices({**GPU_FIRST, "mode": "auto"}, CPU_ONLY)
    assert absent.device == "CPU"  # AUTO over one device is that device
    assert absent.mode == "single" and absent.properties == {"PERFORMANCE_HINT": "LATENCY"}
    assert absent.used == ["CPU"] and absent.dropped == ["GPU"] and len(absent.warnings) == 1
    assert absent.requested == {"priorities": ["GPU(1.5)", "CPU(1.0)"], "mode": "auto"}


def test_hetero_gpu_present_and_absent():
    assert plan_devices({**GPU_FIRST, "mode": "hetero"}, GPU_HERE).device == "HETERO:GPU,CPU"
    assert plan_devices({**GPU_FIRST, "mode": "hetero"}, CPU_ONLY).device == "CPU"
    assert (
        plan_devices({"priorities": ["GPU", "NPU", "CPU"], "mode": "hetero"}, ["CPU", "NPU", "GPU.0"]).device
        == "HETERO:GPU,NPU,CPU"
    )


def test_multi_maps_to_auto_cumulative_throughput_with_deprecation_warning():
    plan = plan_devices({**GPU_FIRST, "mode": "multi"}, GPU_HERE)
    assert plan.device == "AUTO:GPU,CPU"
    assert plan.mode == "auto"
    assert plan.properties["PERFORMANCE_HINT"] == "CUMULATIVE_THROUGHPUT"
    assert len(plan.warnings) == 1 and "deprecated" in plan.warnings[0]
    absent = plan_devices({**GPU_FIRST, "mode": "multi"}, CPU_ONLY)
    assert absent.device == "CPU"
    assert absent.properties == {"PERFORMANCE_HINT": "CUMULATIVE_THROUGHPUT"}
    assert len(absent.warnings) == 1  # one warning per plan, saying both things
    assert "GPU not available" in absent.warnings[0] and "deprecated" in absent.warnings[0]


def test_gpu_matches_indexed_devices_but_index_must_match():
    assert plan_devices({"priorities": ["GPU"]}, ["CPU", "GPU.0", "GPU.1"]).device == "GPU"
    assert plan_devices({"priorities": ["GPU.1", "CPU"]}, ["CPU", "GPU.1"]).device == "GPU.1"
    plan = plan_devices({"priorities": ["GPU.1", "CPU"]}, ["CPU", "GPU.0"])
    assert plan.device == "CPU" and plan.dropped == ["GPU.1"]


def test_nothing_left_falls_back_to_cpu():
    plan = plan_devices({"priorities": ["GPU", "NPU"], "mode": "auto"}, ["CPU"])
    assert plan.device == "CPU" and plan.used == ["CPU"]
    assert len(plan.warnings) == 1 and "falling back to CPU" in plan.warnings[0]


def test_hints_streams_requests_precision_single():
    cfg = {
        "priorities": ["CPU"],
        "performance_hint": "THROUGHPUT",
        "num_streams": 2,
        "num_requests": 4,
        "inference_precision": "f32",
        "properties": {"DYNAMIC_QUANTIZATION_GROUP_SIZE": 32},
    }
    assert plan_devices(cfg, CPU_ONLY).properties == {
        "PERFORMANCE_HINT": "THROUGHPUT",
        "PERFORMANCE_HINT_NUM_REQUESTS": 4,
        "NUM_STREAMS": 2,
        "INFERENCE_PRECISION_HINT": "f32",
        "DYNAMIC_QUANTIZATION_GROUP_SIZE": 32,
    }


def test_legacy_gpu_options_gpu_present_auto():
    cfg = {
        **GPU_FIRST,
        "mode": "auto",
        "inference_precision": "bf16",
        "num_streams": 1,
        "enable_startup_fallback": True,
        "gpu_fp16_enable": True,
        "gpu_optimize": "modern",
        "properties": {"GPU": {"GPU_QUEUE_THROTTLE": "HIGH"}, "CPU": {"ENABLE_CPU_PINNING": True}},
    }
    plan = plan_devices(cfg, GPU_HERE)
    assert plan.device == "AUTO:GPU,CPU"
    assert plan.properties == {
        "PERFORMANCE_HINT": "LATENCY",
        "ENABLE_STARTUP_FALLBACK": True,
        "DEVICE_PROPERTIES": {
            "GPU": {
                "NUM_STREAMS": 1,
                "INFERENCE_PRECISION_HINT": "f16",
                "EXECUTION_MODE_HINT": "PERFORMANCE",
                "GPU_QUEUE_THROTTLE": "HIGH",
            },
            "CPU": {"NUM_STREAMS": 1, "INFERENCE_PRECISION_HINT": "bf16", "ENABLE_CPU_PINNING": True},
        },
    }
    # The same recipe without a GPU: nothing GPU-specific reaches OpenVINO.
    absent = plan_devices(cfg, CPU_ONLY)
    assert absent.device == "CPU"
    assert absent.properties == {
        "PERFORMANCE_HINT": "LATENCY",
        "NUM_STREAMS": 1,
        "INFERENCE_PRECISION_HINT": "bf16",
        "ENABLE_CPU_PINNING": True,
    }
    # Two devices left without the GPU: still AUTO, per-device properties for the CPU and NPU only.
    npu = plan_devices({**cfg, "priorities": ["GPU(1.5)", "NPU(1.2)", "CPU(1.0)"]}, ["CPU", "NPU"])
    assert npu.device == "AUTO:NPU,CPU"
    assert npu.properties == {
        "PERFORMANCE_HINT": "LATENCY",
        "ENABLE_STARTUP_FALLBACK": True,
        "DEVICE_PROPERTIES": {
            "NPU": {"NUM_STREAMS": 1, "INFERENCE_PRECISION_HINT": "bf16"},
            "CPU": {"NUM_STREAMS": 1, "INFERENCE_PRECISION_HINT": "bf16", "ENABLE_CPU_PINNING": True},
        },
    }


def test_legacy_gpu_options_single_gpu():
    cfg = {
        "priorities": ["GPU"],
        "performance_hint": None,
        "gpu_fp16_enable": False,
        "gpu_optimize": "legacy",
    }
    assert plan_devices(cfg, GPU_HERE).properties == {
        "INFERENCE_PRECISION_HINT": "f32",
        "EXECUTION_MODE_HINT": "ACCURACY",
        "GPU_DISABLE_WINOGRAD_CONVOLUTION": True,
    }
    assert plan_devices(cfg, CPU_ONLY).properties == {}


def test_precompile_shapes_become_a_reshape():
    cfg = {"priorities": ["GPU", "CPU"], "precompile_shapes": True, "input_shapes": {"x": [1, 4]}}
    plan = plan_devices(cfg, GPU_HERE)
    assert plan.reshape == {"x": [1, 4]} and plan.precompile is True


@pytest.mark.parametrize(
    ("cfg", "key"),
    [
        ({"mode": "parallel"}, "device.mode"),
        ({"performance_hint": "FAST"}, "device.performance_hint"),
        ({"inference_precision": "int8"}, "device.inference_precision"),
        ({"priorities": ["GPU"], "gpu_optimize": "newest"}, "device.gpu_optimize"),
        ({"precompile_shapes": True}, "device.precompile_shapes"),
        ({"precompile_shapes": True, "input_shapes": {"x": [-1, 4]}}, "device.input_shapes.x"),
        ({"input_shapes": {"x": [1, "a"]}}, "device.input_shapes.x"),
        ({"properties": {"TPU": {"A": 1}}}, "device.properties.TPU"),
    ],
)
def test_bad_values_name_the_key(cfg, key):
    with pytest.raises(ValueError, match=key.replace(".", r"\.")):
        plan_devices(cfg, GPU_HERE)


def test_enum_members_are_accepted():
    from ovbuild.config.choices import DeviceMode, InferencePrecision, PerformanceHint

    cfg = {
        "priorities": ["CPU"],
        "mode": DeviceMode.auto,
        "performance_hint": PerformanceHint.THROUGHPUT,
        "inference_precision": InferencePrecision.f32,
    }
    plan = plan_devices(cfg, GPU_HERE)
    assert plan.device == "CPU" and plan.mode == "single"  # AUTO over one device is that device
    plan = plan_devices({**cfg, "priorities": ["GPU", "CPU"]}, GPU_HERE)
    assert plan.device == "AUTO:GPU,CPU"
    assert plan.properties == {
        "PERFORMANCE_HINT": "THROUGHPUT",
        "DEVICE_PROPERTIES": {
            "GPU": {"INFERENCE_PRECISION_HINT": "f32"},
            "CPU": {"INFERENCE_PRECISION_HINT": "f32"},
        },
    }


# ---- real compiles on this machine -----------------------------------------------------------------


def _tiny_model():
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([-1, 4], np.float32, name="x")
    w = ops.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
    return ov.Model([ops.relu(ops.matmul(x, w, False, False))], [x], "tiny")


PLANS = [
    {**GPU_FIRST, "mode": "single"},
    {**GPU_FIRST, "mode": "auto", "enable_startup_fallback": True, "gpu_fp16_enable": True},
    {**GPU_FIRST, "mode": "hetero", "gpu_optimize": "modern"},
    {**GPU_FIRST, "mode": "multi", "inference_precision": "f32"},
    {"priorities": ["CPU"], "performance_hint": "THROUGHPUT", "num_streams": 2, "num_requests": 2},
    {"priorities": ["GPU", "CPU"], "precompile_shapes": True, "input_shapes": {"x": [2, 4]}},
]


@pytest.mark.parametrize("cfg", PLANS)
def test_every_plan_compiles_and_runs_here(cfg):
    import openvino as ov

    here = available_devices()
    assert "CPU" in here
    plan = plan_devices(cfg, here)
    if "GPU" not in " ".join(here):
        assert "GPU" not in plan.device and "GPU" not in str(plan.properties)
    core = ov.Core()
    compiled = compile_with_plan(core, _tiny_model(), plan)
    x = np.ones((2, 4), np.float32)
    out = compiled({"x": x})[0]
    np.testing.assert_allclose(out, x @ np.arange(12, dtype=np.float32).reshape(4, 3), rtol=1e-2)


def _gpu_plugin_loads(core) -> bool:
    """Whether OpenVINO's GPU plugin loads (it needs an OpenCL loader, which e.g. ffmpeg brings),
    even if it then finds no device."""
    try:
        core.get_property("GPU", "FULL_DEVICE_NAME")
    except RuntimeError as exc:  # raised by the plugin itself ("[GPU] ... no supported devices")
        return "[GPU]" in str(exc) or "Unsupported configuration key" in str(exc)
    return True


def test_openvino_would_fail_on_raw_auto_gpu_cpu_but_the_plan_does_not():
    import openvino as ov

    here = available_devices()
    if any(d.startswith("GPU") for d in here):
        pytest.skip("a GPU is present here")
    core = ov.Core()
    if not _gpu_plugin_loads(core):
        # Without a loadable GPU plugin OpenVINO refuses the raw list outright; with one (an
        # OpenCL loader but no GPU) it may fall back to CPU itself. The plan works either way.
        with pytest.raises(RuntimeError):
            core.compile_model(_tiny_model(), "AUTO:GPU,CPU")
    plan = plan_devices({**GPU_FIRST, "mode": "auto"}, here)
    assert plan.device == "CPU"
    compile_with_plan(core, _tiny_model(), plan)


@pytest.mark.parametrize(
    ("props", "named"),
    [
        ({"PERFORMANCE_HINT": "FAST"}, "PERFORMANCE_HINT"),
        ({"FOO_BAR": 1}, "FOO_BAR"),
        ({"NUM_STREAMS": "many"}, "NUM_STREAMS"),
    ],
)
def test_rejected_property_is_a_clear_error(props, named):
    import openvino as ov

    plan = plan_devices({"priorities": ["CPU"], "performance_hint": None, "properties": props}, ["CPU"])
    with pytest.raises(DevicePlanError, match=f"rejected property {named}") as err:
        compile_with_plan(ov.Core(), _tiny_model(), plan)
    assert isinstance(err.value, RuntimeError)
    assert err.value.__cause__ is not None
    assert "Exception from" not in str(err.value)


def test_shape_that_does_not_fit_is_a_clear_error():
    import openvino as ov

    plan = plan_devices({"priorities": ["CPU"], "input_shapes": {"x": [2, 5]}}, ["CPU"])
    with pytest.raises(DevicePlanError, match=r"device\.input_shapes.*x=\[2, 5\].*do not fit"):
        compile_with_plan(ov.Core(), _tiny_model(), plan)
    plan = plan_devices({"priorities": ["CPU"], "input_shapes": {"y": [2, 4]}}, ["CPU"])
    with pytest.raises(DevicePlanError, match=r"device\.input_shapes\.y: the model has no input 'y'"):
        compile_with_plan(ov.Core(), _tiny_model(), plan)


def _matmul_precisions(compiled):
    found = set()
    for op in compiled.get_runtime_model().get_ops():
        info = op.get_rt_info()
        if info["layerType"].astype(str) in ("FullyConnected", "MatMul"):
            found.add(info["runtimePrecision"].astype(str))
    return found


@pytest.mark.parametrize("mode", ["single", "auto", "hetero", "multi"])
def test_inference_precision_reaches_the_cpu_in_every_mode(mode):
    """DEVICE_PROPERTIES really configure the device under AUTO/HETERO (read back from the runtime model)."""
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([1, 64], np.float32, name="x")
    model = ov.Model([ops.matmul(x, ops.constant(np.ones((64, 64), np.float32)), False, False)], [x], "mm")
    plan = plan_devices({**GPU_FIRST, "mode": mode, "inference_precision": "f32"}, available_devices())
    assert _matmul_precisions(compile_with_plan(ov.Core(), model, plan)) == {"f32"}
