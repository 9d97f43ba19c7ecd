"""The ``genai/`` folder of generative artifacts: openvino-genai's ``LLMPipeline`` loads it as is
and its greedy ids and text equal transformers' and the ovbuild loader's."""

from __future__ import annotations

import pytest

from ovbuild.runtime import import_loader
from tests._tiny_lm import PROMPTS, hf_greedy

pytestmark = pytest.mark.slow
NEW_TOKENS = 16


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_llm_pipeline_runs_the_artifact_like_transformers(tiny_lm, kind: str) -> None:
    genai = pytest.importorskip("openvino_genai")
    artifact = tiny_lm(kind)
    folder = artifact.path / "genai"
    assert {"openvino_model.xml", "openvino_tokenizer.xml", "openvino_detokenizer.xml"} <= {
        p.name for p in folder.iterdir()
    }
    assert "genai/openvino_model.bin" in artifact.manifest.files  # verified like every file
    assert "model.generate(" in (artifact.path / "README.md").read_text()
    pipe = genai.LLMPipeline(str(folder), "CPU", INFERENCE_PRECISION_HINT="f32")
    config = genai.GenerationConfig()
    config.max_new_tokens, config.do_sample = NEW_TOKENS, False
    tokenizer = pipe.get_tokenizer()
    model = import_loader(artifact.path).load()
    for prompt in PROMPTS:
        encoded = tokenizer.encode(prompt)
        ids = list(
            pipe.generate(genai.TokenizedInputs(encoded.input_ids, encoded.attention_mask), config).tokens[0]
        )
        assert ids == hf_greedy(tiny_lm.dirs[kind], prompt, NEW_TOKENS)
        assert pipe.generate(prompt, config) == model.generate(prompt, max_new_tokens=NEW_TOKENS)


def test_seq2seq_artifact_has_the_optimum_layout(tiny_lm) -> None:
    folder = tiny_lm("t5").path / "genai"
    names = {p.name for p in folder.iterdir()}
    assert {
        "openvino_encoder_model.xml",
        "openvino_decoder_model.xml",
        "openvino_tokenizer.xml",
        "openvino_detokenizer.xml",
        "config.json",
        "generation_config.json",
    } <= names
    assert (folder / "openvino_decoder_model.bin").stat().st_ino == (
        tiny_lm("t5").path / "decoder_model.bin"
    ).stat().st_ino  # hard links: no second copy of the weights


def test_llm_pipeline_matches_the_loader_on_int8_weights(tiny_lm) -> None:
    # The same attention kernel as the loader (stateful SDPA): genai's default PagedAttention
    # backend keeps its KV cache differently and may flip a near-tie of these random weights.
    genai = pytest.importorskip("openvino_genai")
    artifact = tiny_lm("llama", "precision=int8_weights")
    pipe = genai.LLMPipeline(
        str(artifact.path / "genai"), "CPU", INFERENCE_PRECISION_HINT="f32", ATTENTION_BACKEND="SDPA"
    )
    config = genai.GenerationConfig()
    config.max_new_tokens, config.do_sample = NEW_TOKENS, False
    model = import_loader(artifact.path).load()
    assert [pipe.generate(p, config) for p in PROMPTS] == [model.generate(p, NEW_TOKENS) for p in PROMPTS]


def test_optimum_intel_loads_the_seq2seq_layout(tiny_lm) -> None:
    # openvino-genai has no T5 pipeline; optimum-intel's OVModelForSeq2SeqLM is what reads this layout.
    from optimum.intel import OVModelForSeq2SeqLM
    from transformers import AutoTokenizer

    folder = tiny_lm("t5").path / "genai"
    model = OVModelForSeq2SeqLM.from_pretrained(folder, ov_config={"INFERENCE_PRECISION_HINT": "f32"})
    tokenizer = AutoTokenizer.from_pretrained(tiny_lm.dirs["t5"])
    for prompt in PROMPTS[:3]:
        encoded = tokenizer(prompt, return_tensors="pt")
        ids = model.generate(**encoded, max_new_tokens=NEW_TOKENS, do_sample=False)[0].tolist()[1:]
        assert ids == hf_greedy(tiny_lm.dirs["t5"], prompt, NEW_TOKENS)
