"""Bad input to the facade: an error dict that names the problem, no exception, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.compat import OpenVINOBackend
from ovbuild.store import StageCache
from tests.compat._helpers import silero, store_names


def _nothing_written(store: Path) -> None:
    assert store_names(store) == []
    if (store / "cache").exists():
        assert list(StageCache(store).entries()) == []
    assert not (store / "compat").exists()


def _error(result: dict, *needles: str) -> str:
    assert result["status"] == "error", result
    # run_inference's failures also carry the documented result keys, as None
    documented = {"results", "latency_ms", "throughput_items_per_sec"}
    assert set(result) - documented == {"status", "error"}
    assert all(result[key] is None for key in documented & set(result))
    for needle in needles:
        assert needle in result["error"], result["error"]
    return result["error"]


def test_wrong_types_are_all_named(store: Path) -> None:
    backend = OpenVINOBackend({"store_root": str(store)})
    bad = {
        "device": ["CPU"],
        "model_path": silero(),
        "precision": 8,
        "performance_hint": "FASTEST",
        "gpu_fp16_enable": "yes",
        "calibration_data": [{"input": np.zeros((1, 576), np.float32)}, "text"],
    }
    message = _error(
        backend.load_model("vad", bad),
        "load_model('vad')",
        "device: expected a device string",
        "precision: expected FP32, FP16 or INT8, got int 8",
        "performance_hint: 'FASTEST' is not one of",
        "gpu_fp16_enable: expected true or false",
    )
    assert "problems" in message
    _nothing_written(store)
    assert backend.models == {}


def test_missing_model_path(store: Path) -> None:
    backend = OpenVINOBackend({"store_root": str(store)})
    _error(backend.load_model("vad", {"device": "CPU"}), "model_path: required")
    _error(backend.load_model("vad", {"model_path": str(store / "gone.onnx")}), "model_path: no such file")
    _error(backend.load_model("vad", "CPU"), "config: expected a dict")
    _nothing_written(store)


def test_a_file_that_is_not_a_model(store: Path, tmp_path: Path) -> None:
    fake = tmp_path / "broken.onnx"
    fake.write_bytes(b"this is not protobuf")
    backend = OpenVINOBackend({"store_root": str(store)})
    _error(backend.load_model("broken", {"model_path": str(fake)}), "load_model('broken')", "broken.onnx")
    assert store_names(store) == []


def test_a_failing_legacy_converter_publishes_nothing(store: Path) -> None:
    def convert(path):
        raise RuntimeError("the converter's licence server is down")

    backend = OpenVINOBackend({"store_root": str(store)})
    result = backend.load_model("conv", {"model_path": silero(), "legacy_converter": convert})
    _error(result, "source.converter", "licence server is down")
    assert store_names(store) == []


def test_calibration_data_that_does_not_fit_the_model(store: Path) -> None:
    backend = OpenVINOBackend({"store_root": str(store)})
    state = np.zeros((1, 1, 128), np.float32)
    short = [{"input": np.zeros((1, 100), np.float32), "h": state, "c": state} for _ in range(4)]
    config = {"model_path": silero(), "precision": "INT8", "calibration_data": short}
    _error(backend.load_model("vad_int8", config), "calibration_data", "[1, 100]", "'input'")
    renamed = [{"wave": np.zeros((1, 576), np.float32)} for _ in range(4)]
    _error(
        backend.load_model("vad_int8", {**config, "calibration_data": renamed}), "calibration_data", "wave"
    )
    assert store_names(store) == []  # nothing published


@pytest.fixture(scope="module")
def vad(tmp_path_factory: pytest.TempPathFactory) -> OpenVINOBackend:
    backend = OpenVINOBackend({"store_root": str(tmp_path_factory.mktemp("store"))})
    assert backend.load_model("vad", {"device": "CPU", "model_path": silero()})["status"] == "success"
    return backend


def _inputs(n: int = 2) -> dict:
    state = np.zeros((1, 1, 128), np.float32)
    return {"input": np.zeros((n, 576), np.float32), "h": state, "c": state}


def test_run_inference_on_a_name_never_loaded(vad: OpenVINOBackend) -> None:
    _error(vad.run_inference("whisper", _inputs()), "no model named 'whisper' is loaded", "loaded: vad")
    _error(vad.get_model_info("whisper"), "no model named 'whisper'")
    _error(vad.unload_model("whisper"), "no model named 'whisper'")


def test_wrong_modality(vad: OpenVINOBackend, tmp_path: Path) -> None:
    _error(vad.run_inference("vad", "is anyone speaking?"), "got text", "takes tensors")
    _error(vad.run_inference("vad", ["two", "sentences"]), "got text")
    wav = tmp_path / "speech.wav"
    import soundfile

    soundfile.write(wav, np.zeros(16000, np.float32), 16000)
    _error(vad.run_inference("vad", str(wav)), "got audio", "takes tensors")
    _error(vad.run_inference("vad", np.zeros((2, 576), np.float32)), "several inputs", "dict of named arrays")


def test_wrong_tensors(vad: OpenVINOBackend) -> None:
    _error(vad.run_inference("vad", {"input": np.zeros((1, 576), np.float32)}), "missing input(s) ['h', 'c']")
    _error(vad.run_inference("vad", {**_inputs(), "sr": np.array(16000)}), "no input(s) ['sr']")
    wrong_shape = {**_inputs(), "input": np.zeros((2, 100), np.float32)}
    _error(vad.run_inference("vad", wrong_shape), "run_inference('vad')")
    _error(vad.run_inference("vad", None), "nothing to run")
    _error(vad.run_inference("vad", _inputs(), config="fast"), "config: expected a dict")


def test_still_works_after_errors_and_unload(vad: OpenVINOBackend) -> None:
    ok = vad.run_inference("vad", _inputs(3))
    assert ok["status"] == "success" and ok["results"]["speech_probs"].shape == (3,)
    assert ok["items"] == 3
    assert vad.unload_model("vad")["status"] == "success"
    _error(vad.run_inference("vad", _inputs()), "no model named 'vad' is loaded")


@pytest.mark.parametrize("name", ["legacy_app", "ovbuild.legacy_app"])
def test_a_logging_logger_as_the_legacy_logger(store: Path, name: str) -> None:
    import logging

    seen: list[tuple[int, str]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((record.levelno, record.getMessage()))

    target = logging.getLogger(name)
    target.addHandler(Keep())
    target.setLevel(logging.DEBUG)
    backend = OpenVINOBackend({"store_root": str(store), "logger": target})
    backend.load_model("vad", {"device": "CPU", "turbo": True})
    assert any(lvl == logging.WARNING and "turbo" in msg for lvl, msg in seen), seen
    assert any(lvl == logging.ERROR and "model_path: required" in msg for lvl, msg in seen), seen
    assert len([m for _, m in seen if "turbo" in m]) == 1  # once, even for a logger under "ovbuild"


def test_an_audio_model_without_feature_keys_takes_its_tensors(shared_store: Path, tmp_path: Path) -> None:
    import soundfile

    backend = OpenVINOBackend({"store_root": str(shared_store)})
    loaded = backend.load_model("vad_audio", {"model_path": silero(), "model_type": "audio"})
    assert loaded["status"] == "success", loaded.get("error")
    ok = backend.run_inference("vad_audio", _inputs(2))
    assert ok["status"] == "success" and ok["results"]["speech_probs"].shape == (2,)
    wav = tmp_path / "speech.wav"
    soundfile.write(wav, np.zeros(16000, np.float32), 16000)
    _error(backend.run_inference("vad_audio", str(wav)), "no audio front-end", "sample_rate/feature_type")
    _error(backend.run_inference("vad_audio", "hello"), "got text", "takes audio")
