"""The old API's documented examples, run as written (``examples/legacy/*.py``) on real models.

Each example differs from the old documentation only in its import line and model paths; each
test checks the results are real: output shapes, finite values, measured latency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.compat._helpers import example


def _real(result: dict) -> None:
    assert result["status"] == "success", result.get("error")
    assert result["latency_ms"] > 0 and np.isfinite(result["latency_ms"])
    assert result["throughput_items_per_sec"] > 0
    outputs = result["results"] if isinstance(result["results"], list) else [result["results"]]
    for out in outputs:
        for name, value in out.items():
            assert np.all(np.isfinite(value)), name


def test_plain_backward_compatible_load(shared_store: Path) -> None:
    out = example("basic_load").main(store_root=str(shared_store))
    assert out["load"]["status"] == "success", out["load"].get("error")
    _real(out["inference"])
    probs = out["inference"]["results"]["speech_probs"]
    assert probs.shape == (31,)  # one probability per 576-sample window of 1 s of audio
    assert np.all((probs >= 0) & (probs <= 1))
    assert out["inference"]["device"] == "CPU"
    assert out["info"]["status"] == "success" and out["info"]["precision"]["default"] == "fp32"
    assert [p["name"] for p in out["info"]["inputs"]] == ["input", "h", "c"]
    # the same legacy call again is a cache hit on the same artifact version
    again = example("basic_load").main(store_root=str(shared_store))
    assert again["load"]["cached"] is True
    assert again["load"]["artifact"] == out["load"]["artifact"]
    np.testing.assert_allclose(again["inference"]["results"]["speech_probs"], probs, rtol=1e-5, atol=1e-6)


def test_legacy_logger_receives_the_records(shared_store: Path) -> None:
    out = example("legacy_logger").main(store_root=str(shared_store))
    _real(out["inference"])
    assert out["inference"]["results"]["speech_probs"].shape == (1,)
    levels = {}
    for level, message in out["records"]:
        levels.setdefault(level, []).append(message)
    assert any("enable_magic" in m for m in levels["warning"])  # unknown key: named, not dropped
    assert any("artifact vad_logged" in m for m in levels["info"])  # the build reported
    assert any("item(s) in" in m for m in levels["debug"])  # the inference reported
    assert out["failed"]["status"] == "error"
    assert any("never_loaded" in m for m in levels["error"])


def test_multi_device_with_priorities(shared_store: Path) -> None:
    out = example("multi_device").main(store_root=str(shared_store))
    result = out["inference"]
    _real(result)
    assert result["items"] == 16 and len(result["results"]) == 16
    assert all(r["speech_probs"].shape == (1,) for r in result["results"])
    plan = out["info"]["device_plan"]
    assert plan["requested"]["priorities"] == ["GPU(1.5)", "CPU(1.0)"]
    assert "CPU" in plan["used"]
    if any(d.startswith("GPU") for d in plan["used"]):  # a GPU here: both devices, GPU first
        assert plan["device"].startswith("AUTO:GPU")
    else:  # no GPU: dropped, and the user is told (AUTO over CPU alone may be plain CPU)
        assert any("GPU" in w and "dropped" in w for w in out["load"]["warnings"])
    assert any("'multi' is deprecated" in w for w in out["load"]["warnings"])


def test_gpu_specific_options(shared_store: Path) -> None:
    out = example("gpu_options").main(store_root=str(shared_store))
    result = out["inference"]
    assert result["status"] == "success", result.get("error")
    assert result["latency_ms"] > 0 and result["throughput_items_per_sec"] > 0
    assert {v.shape[-1] for v in result["results"].values()} == {1, 16}  # BlazeFace scores and boxes
    assert out["info"]["precision"]["default"] == "fp16"
    assert out["info"]["frontend"]["kind"] == "image"
    assert any("input_ids" in w and "ignored" in w for w in out["load"]["warnings"]), out["load"]["warnings"]
    plan = out["info"]["device_plan"]
    if plan["device"] == "CPU":  # no GPU here: the options had no effect, and the user is told
        assert any("GPU only" in w for w in out["load"]["warnings"])
        assert "GPU" in plan["dropped"]


@pytest.mark.slow
def test_legacy_converter(shared_store: Path) -> None:
    out = example("legacy_converter").main(store_root=str(shared_store))
    assert out["load"]["status"] == "success", out["load"].get("error")
    _real(out["inference"])
    results = out["inference"]["results"]
    shapes = sorted(v.shape for v in results.values())
    assert shapes == [(1, 1), (2, 1, 128)]  # speech probability and the next state
