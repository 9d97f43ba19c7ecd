"""Generative artifacts end to end: tiny random-weight GPT-2, Llama and T5 built from their HF
directories (KV cache as state, tokenizer + detokenizer IRs); the generated loader's greedy ids
equal transformers' ``generate`` token for token, streams, runs from many threads and without
transformers or torch."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from ovbuild.runtime import import_loader
from tests._tiny_lm import PROMPTS, hf_greedy

pytestmark = pytest.mark.slow
NEW_TOKENS = 16


@pytest.mark.parametrize("kind", ["gpt2", "llama", "t5"])
def test_greedy_ids_equal_transformers_generate(tiny_lm, kind: str) -> None:
    artifact = tiny_lm(kind)
    generation = artifact.manifest.stages["convert"]["generation"]
    assert generation["kind"] == ("seq2seq" if kind == "t5" else "causal")
    assert (artifact.path / "openvino_tokenizer.xml").is_file()
    assert (artifact.path / "openvino_detokenizer.xml").is_file()
    model = import_loader(artifact.path).load()
    ours = [[t.id for t in model.stream(p, max_new_tokens=NEW_TOKENS)] for p in PROMPTS]
    reference = [hf_greedy(tiny_lm.dirs[kind], p, NEW_TOKENS) for p in PROMPTS]
    assert ours == reference
    assert len({tuple(ids) for ids in ours}) > 1  # prompts really steer the model


def test_causal_export_is_stateful_with_past(tiny_lm) -> None:
    import openvino as ov

    artifact = tiny_lm("gpt2")
    assert artifact.manifest.stages["convert"]["task"] == "text-generation"
    model = ov.Core().read_model(str(artifact.path / "model.xml"))
    assert model.get_sinks(), "the KV cache must be OpenVINO state"
    assert {"input_ids", "attention_mask", "position_ids", "beam_idx"} <= {
        n for p in model.inputs for n in p.get_names()
    }


def test_stream_pieces_join_to_generate(tiny_lm) -> None:
    model = import_loader(tiny_lm("llama").path).load()
    for prompt in PROMPTS[:3]:
        tokens = list(model.stream(prompt, max_new_tokens=NEW_TOKENS))
        assert len(tokens) == NEW_TOKENS
        text = model.generate(prompt, max_new_tokens=NEW_TOKENS)
        assert "".join(t.text for t in tokens) == text
        assert text == model._text_generator().decode([[t.id for t in tokens]])[0]


def test_generate_from_many_threads_matches_serial(tiny_lm) -> None:
    model = import_loader(tiny_lm("gpt2").path).load()
    prompts = PROMPTS * 3
    serial = [model.generate(p, max_new_tokens=12) for p in prompts]
    with ThreadPoolExecutor(6) as pool:
        threaded = list(pool.map(lambda p: model.generate(p, max_new_tokens=12), prompts))
    assert threaded == serial
    assert model.generate(prompts[:2], max_new_tokens=12) == serial[:2]


def test_sampling_is_seeded_and_bounded(tiny_lm) -> None:
    model = import_loader(tiny_lm("gpt2").path).load()
    prompt = PROMPTS[0]
    first = [t.id for t in model.stream(prompt, 20, do_sample=True, seed=7, top_k=20, temperature=1.5)]
    again = [t.id for t in model.stream(prompt, 20, do_sample=True, seed=7, top_k=20, temperature=1.5)]
    greedy = [t.id for t in model.stream(prompt, 20)]
    assert first == again and first != greedy
    assert model.generate(prompt, max_new_tokens=0) == ""
    with pytest.raises(ValueError, match="max_new_tokens"):
        model.generate(prompt, max_new_tokens=-1)
    with pytest.raises(ValueError, match="at most 128"):
        model.generate("cats " * 200, max_new_tokens=4)


def test_loader_generates_without_transformers_or_torch(tiny_lm) -> None:
    artifact = tiny_lm("t5")
    expected = import_loader(artifact.path).load().generate(PROMPTS[0], max_new_tokens=8)
    code = (
        "import sys, json\n"
        "for name in ('transformers', 'tokenizers', 'ovbuild', 'torch', 'optimum'):\n"
        "    sys.modules[name] = None\n"
        "from loader import load\n"
        f"print(json.dumps(load().generate({PROMPTS[0]!r}, max_new_tokens=8)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=artifact.path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.parametrize(
    ("convert", "message"),
    [
        ({"models": {"model": "model.xml"}}, "not a generative model"),
        ({"generation": {"kind": "speech"}}, "transcribe"),
    ],
)
def test_generate_refuses_artifacts_that_do_not_generate_text(convert: dict, message: str) -> None:
    from pathlib import Path

    from ovbuild.runtime.generate import TextGenerator
    from ovbuild.runtime.manifest import Manifest

    with pytest.raises(TypeError, match=message):
        manifest = Manifest(
            model="model.xml", inputs=[], outputs=[], files={}, recipe={}, stages={"convert": convert}
        )
        TextGenerator(Path("."), manifest, None)
