"""ONNX and TFLite sources on real models: basic-pitch (ONNX vs TFLite vs the TFLite interpreter)
and a MediaPipe TFLite vision model, on real speech and a real photo, at f32."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.config import package_file
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for

pytestmark = pytest.mark.slow
BASIC_PITCH_INPUT = "serving_default_input_2:0"
BASIC_PITCH_SAMPLES = 43844  # 2 s at 22050 Hz minus the model's overlap


def _load(store: Path, recipe: str):
    result = build(recipe_for(f"recipe={recipe}", "device.inference_precision=f32", root=store))
    return result, import_loader(result.path).load()


def _litert(path: str, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run a .tflite file with the LiteRT interpreter (the format's own runtime)."""
    interpreter_mod = pytest.importorskip("ai_edge_litert.interpreter")
    interpreter = interpreter_mod.Interpreter(model_path=path)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], inputs[detail["name"]])
    interpreter.invoke()
    return {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}


@pytest.fixture(scope="module")
def pitch_window(speech_16k: np.ndarray) -> np.ndarray:
    import soxr

    audio = soxr.resample(speech_16k, 16000, 22050).astype(np.float32)
    audio = np.pad(audio, (0, max(0, BASIC_PITCH_SAMPLES - len(audio))))[:BASIC_PITCH_SAMPLES]
    return audio[None, :, None]


def test_basic_pitch_onnx_and_tflite_give_the_same_outputs(
    shared_store: Path, pitch_window: np.ndarray
) -> None:
    _, onnx_model = _load(shared_store, "basic_pitch_onnx")
    _, tflite_model = _load(shared_store, "basic_pitch_tflite")
    a = onnx_model({BASIC_PITCH_INPUT: pitch_window})
    b = tflite_model({BASIC_PITCH_INPUT: pitch_window})
    assert set(a) == set(b) and len(a) == 3
    for name in a:
        assert a[name].shape == b[name].shape
        assert np.abs(a[name] - b[name]).max() < 1e-4, name
    assert max(float(v.max()) for v in a.values()) > 0.1  # speech activates notes/contours: not all-zero


def test_basic_pitch_tflite_matches_the_tflite_interpreter(
    shared_store: Path, pitch_window: np.ndarray
) -> None:
    _, model = _load(shared_store, "basic_pitch_tflite")
    path = package_file("basic_pitch", "saved_models/icassp_2022/nmp.tflite")
    want = _litert(path, {BASIC_PITCH_INPUT: pitch_window})
    got = model({BASIC_PITCH_INPUT: pitch_window})
    for name, value in want.items():
        diff = np.abs(got[name] - value).max()
        print(f"basic-pitch {name}: max abs diff vs LiteRT {diff:.2e}")
        assert diff < 1e-4, name


def test_mediapipe_face_detector_matches_the_tflite_interpreter(shared_store: Path) -> None:
    # Only the model file is needed; importing mediapipe itself would need its full dependency set.
    if importlib.util.find_spec("mediapipe") is None:
        pytest.skip("mediapipe==0.10.14 (which ships the TFLite model) is not installed")
    from PIL import Image

    photo = package_file("matplotlib", "mpl-data/sample_data/grace_hopper.jpg")
    image = np.asarray(Image.open(photo).convert("RGB").resize((128, 128)), np.float32)
    pixels = (image / 127.5 - 1.0)[None]  # BlazeFace takes RGB in [-1, 1], NHWC
    result, model = _load(shared_store, "mediapipe_face_detection")
    got = model({"input": pixels})
    want = _litert(result.manifest.recipe["source"]["path"], {"input": pixels})
    for name, value in want.items():
        diff = np.abs(got[name] - value).max()
        print(f"mediapipe {name}: max abs diff vs LiteRT {diff:.2e}")
        assert diff < 1e-3 * max(1.0, float(np.abs(value).max())), name
    # A portrait: the best anchor's face score is confident.
    assert 1 / (1 + np.exp(-got["classificators"].max())) > 0.5
