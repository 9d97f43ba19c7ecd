"""The old API's text examples on all-MiniLM-L6-v2: mixed precision, and INT8 with calibration samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ovbuild.compat import OpenVINOBackend
from ovbuild.store import StageCache
from tests.compat._helpers import example

pytestmark = pytest.mark.slow

SENTENCES = [
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The stock market crashed yesterday.",
]


@pytest.fixture(scope="module")
def minilm_fp32(shared_store: Path) -> dict:
    """MiniLM at FP32 through the facade: the reference, and the export the INT8 example starts from."""
    backend = OpenVINOBackend({"store_root": str(shared_store)})
    config = {"model_path": example("mixed_precision_text").default_model_path(), "use_optimum": True}
    loaded = backend.load_model("minilm_fp32", config)
    assert loaded["status"] == "success", loaded.get("error")
    result = backend.run_inference("minilm_fp32", SENTENCES)
    assert result["status"] == "success", result.get("error")
    return {"loaded": loaded, "embeddings": result["results"]["sentence_embedding"], "backend": backend}


@pytest.fixture(scope="module")
def minilm_ir(minilm_fp32: dict, shared_store: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An IR file of MiniLM without a tokenizer (the optimum export), as an application keeps one."""
    import json

    manifest = json.loads((Path(minilm_fp32["loaded"]["artifact"]) / "manifest.json").read_text())
    entry = StageCache(shared_store).entry_dir("convert", manifest["stage_keys"]["convert"])
    out = tmp_path_factory.mktemp("minilm_ir")
    for name in ("model.xml", "model.bin"):
        shutil.copy(entry / name, out / name)
    hf_dir = Path(example("mixed_precision_text").default_model_path())
    for name in ("tokenizer.json", "tokenizer_config.json"):  # as the application keeps them
        shutil.copy(hf_dir / name, out / name)
    return str(out / "model.xml")


def test_mixed_precision_on_a_text_model(shared_store: Path, minilm_fp32: dict, minilm_ir: str) -> None:
    out = example("mixed_precision_text").main(model_path=minilm_ir, store_root=str(shared_store))
    assert out["load"]["status"] == "success", out["load"].get("error")
    result = out["inference"]
    assert result["status"] == "success", result.get("error")
    emb = result["results"]["sentence_embedding"]
    assert emb.shape == (3, 384) and np.all(np.isfinite(emb))
    assert result["latency_ms"] > 0 and result["throughput_items_per_sec"] > 0
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-2)
    sims = emb @ emb.T
    assert sims[0, 1] > sims[0, 2] + 0.2  # the paraphrase is nearer than the unrelated sentence
    # really quantized: INT8 FullyConnected layers at run time, and the map as the legacy dict said
    info = out["info"]
    assert info["precision"]["default"] == "int8"
    assert info["precision"]["rules"][0]["layer"] == "attention"
    assert info["precision"]["rules"][0]["precision"] == "fp16"
    import json

    manifest = json.loads((Path(info["artifact"]) / "manifest.json").read_text())
    fc = manifest["blobs"]["CPU"]["runtime_precisions"]["FullyConnected"]
    assert fc.get("i8", 0) + fc.get("u8", 0) > 0, fc
    # and still close to FP32
    cosine = np.sum(emb * minilm_fp32["embeddings"], axis=1)
    assert np.all(cosine > 0.95), cosine


def test_int8_with_calibration_samples(shared_store: Path, minilm_ir: str) -> None:
    module = example("int8_calibration")
    out = module.main(model_path=minilm_ir, store_root=str(shared_store))
    assert out["load"]["status"] == "success", out["load"].get("error")
    result = out["inference"]
    assert result["status"] == "success", result.get("error")
    (name, value), *_ = result["results"].items()  # one sentence in, tokenized by the facade
    assert value.shape == (1, 384) and np.all(np.isfinite(value))
    assert result["latency_ms"] > 0
    info = out["info"]
    assert info["precision"]["default"] == "int8"
    import json

    manifest = json.loads((Path(info["artifact"]) / "manifest.json").read_text())
    assert manifest["recipe"]["calibration"]["kind"] == "npz"
    assert manifest["stages"]["calibrate"]["calibration_samples"] == 10  # calibration_samples honoured
    fc = manifest["blobs"]["CPU"]["runtime_precisions"]["FullyConnected"]
    assert fc.get("i8", 0) + fc.get("u8", 0) > 0, fc
    # the samples came from the application's tokenizer, through the content-addressed .npz
    with np.load(manifest["recipe"]["calibration"]["path"]) as npz:
        assert npz["input_ids"].shape == (len(module.SENTENCES), 1, 128)


def test_wrong_modality_for_a_text_model(minilm_fp32: dict, tmp_path: Path) -> None:
    import soundfile

    backend = minilm_fp32["backend"]
    wav = tmp_path / "noise.wav"
    soundfile.write(wav, np.zeros(1600, np.float32), 16000)
    for data, needle in (
        (str(wav), "got audio, but model 'minilm_fp32' takes text"),
        (np.zeros((1, 128), np.float32), "got a numeric array, but model 'minilm_fp32' takes text"),
    ):
        result = backend.run_inference("minilm_fp32", data)
        assert result["status"] == "error" and needle in result["error"], result
    info = backend.get_model_info("minilm_fp32")
    assert info["model_type"] == "text" and info["frontend"]["kind"] == "text"
    assert "kind: hf" in info["recipe"]  # the equivalent recipe, for migrating
