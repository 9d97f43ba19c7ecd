"""The legacy facade's contract: it never raises, and every result carries the documented keys."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from ovbuild.compat import OpenVINOBackend
from tests.compat._helpers import silero

HOSTILE = [["x"], {"a": 1}, None, 3, 2.5, b"bytes", ("t",), {1, 2}, object(), ""]


@pytest.mark.parametrize("name", HOSTILE, ids=lambda v: "object()" if type(v) is object else repr(v))
def test_facade_never_raises_for_any_argument_type(name: object, tmp_path: Path) -> None:
    backend = OpenVINOBackend({"store_root": str(tmp_path)})
    for result in (
        backend.get_model_info(name),
        backend.unload_model(name),
        backend.run_inference(name, "text"),
        backend.run_inference("missing", name),
        backend.load_model(name, {"model_path": silero()}),
        backend.load_model("m", name),
    ):
        assert result["status"] == "error" and result["error"], result
    assert OpenVINOBackend(name).models == {}  # type: ignore[arg-type]


def test_failed_inference_still_has_the_documented_keys(tmp_path: Path) -> None:
    backend = OpenVINOBackend({"store_root": str(tmp_path)})
    result = backend.run_inference("never_loaded", np.zeros((1, 3, 224, 224), np.float32))
    assert result["status"] == "error" and "load_model" in result["error"]
    for key in ("latency_ms", "results", "throughput_items_per_sec"):
        assert key in result and result[key] is None


def test_ignored_run_config_key_is_warned_once(shared_store: Path, caplog: pytest.LogCaptureFixture) -> None:
    backend = OpenVINOBackend({"store_root": str(shared_store)})
    assert backend.load_model("vad", {"device": "CPU", "model_path": silero()})["status"] == "success"
    state = np.zeros((1, 1, 128), np.float32)
    data = {"input": np.zeros((2, 576), np.float32), "h": state, "c": state}
    with caplog.at_level(logging.WARNING, logger="ovbuild"):
        for _ in range(3):
            assert backend.run_inference("vad", data, {"model_type": "audio"})["status"] == "success"
    said = [r for r in caplog.records if "model_type" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in said]


def test_dropped_gpu_warning_is_logged_once(shared_store: Path) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def info(self, message: str) -> None:
            pass

        def warning(self, message: str) -> None:
            self.lines.append(message)

        def error(self, message: str) -> None:
            self.lines.append(message)

    logger = Recorder()
    backend = OpenVINOBackend({"store_root": str(shared_store), "logger": logger})
    config = {"model_path": silero(), "device_priorities": ["GPU(1.5)", "CPU(1.0)"], "multi_device": True}
    loaded = backend.load_model("multi", config)
    assert loaded["status"] == "success", loaded
    import openvino as ov

    if any(d.startswith("GPU") for d in ov.Core().available_devices):
        pytest.skip("a GPU is present: nothing is dropped")
    dropped = [line for line in logger.lines if "dropped" in line]
    assert len(dropped) == 1, logger.lines
