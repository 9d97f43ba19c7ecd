"""HuggingFace sources: tiny random-weight BERT, T5, ViT and Whisper exported, compiled and run
through ovbuild, each compared with its PyTorch model at f32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.errors import SourceError
from ovbuild.runtime import import_loader
from ovbuild.sources import hf
from tests.conftest import recipe_for

pytestmark = pytest.mark.slow
TOL = 1e-4
# Stateful decoders keep their KV cache in f16 on CPU (KV_CACHE_PRECISION) even at f32 inference.
KV_TOL = 2e-3


def _artifact(store: Path, name: str, path: Path):
    result = build(
        recipe_for(
            "source=hf",
            f"name=tiny_hf_{name}",  # not tiny_{kind}: tiny_lm builds other weights under that name
            f"source.path={path}",
            "device.inference_precision=f32",
            root=store,
        )
    )
    return result, import_loader(result.path).load()


def _ids(rng: np.random.Generator, batch: int = 2, length: int = 12) -> tuple[np.ndarray, np.ndarray]:
    ids = rng.integers(4, 120, size=(batch, length)).astype(np.int64)
    mask = np.ones_like(ids)
    mask[1, length - 4 :] = 0  # a padded second row
    return ids, mask


def test_bert_encoder_matches_pytorch(shared_store: Path, tiny_hf) -> None:
    import torch

    path, torch_model = tiny_hf("bert")
    result, model = _artifact(shared_store, "bert", path)
    convert = result.manifest.stages["convert"]
    assert (convert["task"], convert["model_type"]) == ("feature-extraction", "bert")
    ids, mask = _ids(np.random.default_rng(0))
    types = np.zeros_like(ids)
    got = model({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})["last_hidden_state"]
    with torch.no_grad():
        want = torch_model(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.from_numpy(types),
        ).last_hidden_state.numpy()
    assert np.abs(got - want).max() < TOL


def test_t5_records_encoder_and_decoder_and_runs_a_decoder_step(shared_store: Path, tiny_hf) -> None:
    import torch

    path, torch_model = tiny_hf("t5")
    result, model = _artifact(shared_store, "t5", path)
    manifest = result.manifest
    assert manifest.stages["convert"]["task"] == "text2text-generation"
    assert manifest.stages["convert"]["models"] == {"encoder": "model.xml", "decoder": "decoder_model.xml"}
    assert {"model.xml", "decoder_model.xml", "decoder_model.bin"} <= set(manifest.files)

    ids, mask = _ids(np.random.default_rng(1))
    encoded = model({"input_ids": ids, "attention_mask": mask})["last_hidden_state"]
    start = np.zeros((2, 1), np.int64)  # decoder_start_token_id
    decoder = model.submodel("decoder")
    feeds = {"input_ids": start, "encoder_hidden_states": encoded, "encoder_attention_mask": mask}
    # The decoder keeps its KV cache as state: beam_idx says which cached row each input row continues.
    logits = decoder({**feeds, "beam_idx": np.arange(2, dtype=np.int32)})["logits"]
    with torch.no_grad():
        want = torch_model(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            decoder_input_ids=torch.from_numpy(start),
        )
    assert np.abs(encoded - want.encoder_last_hidden_state.numpy()).max() < TOL
    assert np.abs(logits - want.logits.numpy()).max() < KV_TOL


def test_vit_classifier_matches_pytorch(shared_store: Path, tiny_hf) -> None:
    import torch

    path, torch_model = tiny_hf("vit")
    result, model = _artifact(shared_store, "vit", path)
    assert result.manifest.stages["convert"]["task"] == "image-classification"
    pixels = np.random.default_rng(2).standard_normal((2, 3, 32, 32)).astype(np.float32)
    got = model({"pixel_values": pixels})["logits"]
    with torch.no_grad():
        want = torch_model(pixel_values=torch.from_numpy(pixels)).logits.numpy()
    assert got.shape == (2, 3)
    assert np.abs(got - want).max() < TOL


def test_whisper_encoder_and_decoder_step_match_pytorch(shared_store: Path, tiny_hf) -> None:
    import torch

    path, torch_model = tiny_hf("whisper")
    result, model = _artifact(shared_store, "whisper", path)
    assert result.manifest.stages["convert"]["task"] == "automatic-speech-recognition"
    features = np.random.default_rng(3).standard_normal((1, 80, 3000)).astype(np.float32)
    encoded = model({"input_features": features})["last_hidden_state"]
    start = np.array([[2]], np.int64)
    feeds = {"input_ids": start, "encoder_hidden_states": encoded, "beam_idx": np.zeros(1, np.int32)}
    logits = model.submodel("decoder")(feeds)["logits"]
    with torch.no_grad():
        want = torch_model(
            input_features=torch.from_numpy(features), decoder_input_ids=torch.from_numpy(start)
        )
    assert np.abs(encoded - want.encoder_last_hidden_state.numpy()).max() < TOL
    assert np.abs(logits - want.logits.numpy()).max() < KV_TOL


def test_hub_id_not_on_disk_says_local_directory_needed() -> None:
    with pytest.raises(SourceError, match=r"must be a local directory here \(no network\)"):
        hf.input_files({"kind": "hf", "path": "sentence-transformers/all-MiniLM-L6-v2"})


def test_config_without_weights_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(SourceError, match="no weights"):
        hf.input_files({"kind": "hf", "path": str(tmp_path)})
