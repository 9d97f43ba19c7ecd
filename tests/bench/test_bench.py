"""bench: structure and positivity of the numbers (never timings), on tiny models built here."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from ovbuild.bench import (
    bench_artifact,
    bench_callable,
    bench_compiled,
    compare_with_benchmark_app,
    make_inputs,
    parse_benchmark_app,
)
from ovbuild.errors import ArtifactError

KEYS = {"count", "seconds", "median_ms", "mean_ms", "p90_ms", "p99_ms", "min_ms", "throughput", "items_per_s"}


def _tiny_model():
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([-1, 16], np.float32, name="x")
    w = ops.constant(np.random.default_rng(0).standard_normal((16, 16)).astype(np.float32))
    return ov.Model([ops.relu(ops.matmul(x, w, False, False))], [x], "tiny")


def _check(result, mode):
    assert KEYS <= set(result)
    assert result["mode"] == mode
    assert result["count"] > 0 and result["throughput"] > 0
    assert 0 < result["min_ms"] <= result["median_ms"] <= result["p90_ms"] <= result["p99_ms"]
    assert result["requests"] >= 1


@pytest.mark.parametrize("mode", ["latency", "throughput"])
def test_bench_compiled(mode):
    import openvino as ov

    hint = "LATENCY" if mode == "latency" else "THROUGHPUT"
    compiled = ov.Core().compile_model(_tiny_model(), "CPU", {"PERFORMANCE_HINT": hint})
    x = np.ones((2, 16), np.float32)
    result = bench_compiled(compiled, {"x": x}, seconds=0.5, warmup=2, mode=mode, progress=False)
    _check(result, mode)
    assert result["batch"] == 2 and result["items_per_s"] == pytest.approx(2 * result["throughput"])


def test_bench_compiled_rejects_unknown_mode():
    import openvino as ov

    compiled = ov.Core().compile_model(_tiny_model(), "CPU")
    with pytest.raises(ValueError, match="bench mode 'fast'"):
        bench_compiled(compiled, {"x": np.ones((1, 16), np.float32)}, seconds=0.1, mode="fast")


def test_bench_callable():
    result = bench_callable(lambda: sum(range(100)), seconds=0.2, warmup=1, progress=False)
    _check(result, "latency")


def test_make_inputs_text_like():
    specs = [
        {"name": "input_ids", "shape": [1, 8], "type": "i64"},
        {"name": "attention_mask", "shape": [1, 8], "type": "i64"},
        {"name": "token_type_ids", "shape": [1, -1], "type": "i64"},
        {"name": "pixels", "shape": [1, 3, 4, 4], "type": "f32"},
    ]
    inputs = make_inputs(specs, vocab_size=50)
    assert inputs["input_ids"].dtype == np.int64 and inputs["input_ids"].max() < 50
    assert (inputs["attention_mask"] == 1).all() and inputs["token_type_ids"].shape == (1, 1)
    assert (inputs["token_type_ids"] == 0).all() and inputs["pixels"].dtype == np.float32


def _artifact(tmp_path):
    import openvino as ov

    ov.save_model(_tiny_model(), tmp_path / "model.xml")
    manifest = {
        "recipe": {
            "name": "tiny",
            "source": {"kind": "ir"},
            "device": {"priorities": ["GPU(1.5)", "CPU(1.0)"]},
        },
        "model": "model.xml",
        "inputs": [{"name": "x", "shape": [1, 16], "type": "f32"}],
        "outputs": [],
        "files": {},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_bench_artifact_compare_and_json(tmp_path, capsys):
    art = _artifact(tmp_path)
    report = bench_artifact(art, compare=True, json=True, seconds=0.3)
    printed = json.loads(capsys.readouterr().out)
    assert printed["device"] == report["device"] == "CPU"
    assert set(report["results"]) == {"artifact", "openvino_f32_same_ir"}
    for res in report["results"].values():
        _check(res["latency"], "latency")
        _check(res["throughput"], "throughput")
    ratio = report["ratios"]["openvino_f32_same_ir"]
    assert ratio["latency_speedup"] > 0 and ratio["throughput_ratio"] > 0
    assert report["errors"] == {}


def test_bench_artifact_table(tmp_path, capsys):
    bench_artifact(_artifact(tmp_path), seconds=0.2)
    out = capsys.readouterr().out
    assert "median ms" in out and "artifact" in out


def test_bench_artifact_not_an_artifact(tmp_path):
    with pytest.raises(ArtifactError, match="no manifest.json"):
        bench_artifact(tmp_path)


def test_parse_benchmark_app_units():
    text = """[ INFO ] Count:            207 iterations
[ INFO ] Latency:
[ INFO ]    Median:        6.53 us
[ INFO ]    Average:       2.00 ms
[ INFO ] Throughput:   103575.89 FPS
"""
    parsed = parse_benchmark_app(text)
    assert parsed["median_ms"] == pytest.approx(0.00653)
    assert parsed["average_ms"] == 2.0 and parsed["throughput"] == pytest.approx(103575.89)
    with pytest.raises(RuntimeError, match="could not parse"):
        parse_benchmark_app("nothing here")


def test_compare_with_benchmark_app(tmp_path):
    import openvino as ov

    ov.save_model(_tiny_model(), tmp_path / "tiny.xml")
    result = compare_with_benchmark_app(tmp_path / "tiny.xml", "latency", seconds=1, shape={"x": [1, 16]})
    assert result["median_ms"] > 0 and result["throughput"] > 0
    assert "-shape x[1,16]" in result["command"]
    assert sys.executable.rsplit("/", 1)[0] in result["command"] or "benchmark" in result["command"]


def test_bench_artifact_write_records_in_manifest(tmp_path):
    from ovbuild.sweeps.measure import recorded_bench

    art = _artifact(tmp_path)
    bench_artifact(art, seconds=0.2, write=True, print_fn=None)
    manifest = json.loads((art / "manifest.json").read_text())
    bench = manifest["metrics"]["bench"]
    assert (
        bench["device"] == "CPU"
        and bench["latency"]["median_ms"] > 0
        and bench["throughput"]["throughput"] > 0
    )
    assert set(bench["results"]) == {"artifact"}
    assert recorded_bench(manifest["metrics"])["median_ms"] == bench["latency"]["median_ms"]
    assert manifest["recipe"]["name"] == "tiny"  # the rest of the manifest is kept
