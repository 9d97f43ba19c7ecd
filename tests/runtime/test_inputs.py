"""Every bad input is one clear error naming the input; nothing from an earlier call is reused.

Before, ``m()``, ``m(None)``, ``m({})`` and ``m({'input': x})`` on silero VAD returned the previous
call's outputs (its tensors were still set on the one infer request).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.runtime import import_loader


@pytest.fixture(scope="module")
def vad(vad_artifact: Path):
    loader = import_loader(vad_artifact)
    with loader.load() as model:
        yield loader, model


def _good(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "input": (0.3 * rng.standard_normal((1, 512))).astype(np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000, dtype=np.int64),
    }


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda m: m(),
            r"no input given.*input: float32 \[1, 512\].*state: float32 \[2, 1, 128\].*sr: int64 \[\]",
        ),
        (lambda m: m(None), r"no input given \(got None\)"),
        (lambda m: m({}), r"missing 'input' \(float32 \[1, 512\]\), 'state' \(float32 \[2, 1, 128\]\), 'sr'"),
        (
            lambda m: m({"input": _good()["input"]}),
            r"missing 'state' \(float32 \[2, 1, 128\]\), 'sr' \(int64 \[\]\)",
        ),
        (lambda m: m({**_good(), "state": None}), r"None for 'state' \(float32 \[2, 1, 128\]\)"),
        (lambda m: m({**_good(), "bogus": np.zeros(3)}), r"unknown input name\(s\) \['bogus'\]"),
        (
            lambda m: m({"input": _good()["input"], "State": _good()["state"], "sr": _good()["sr"]}),
            r"missing 'state'.*unknown input name\(s\) \['State'\]",
        ),
        (lambda m: m({**_good(), "sr": np.array(16000.0)}), r"input 'sr': expected int64 \[\], got float64"),
        (
            lambda m: m({**_good(), "input": np.zeros((1, 512), np.complex64)}),
            r"input 'input'.*got complex64",
        ),
        (
            lambda m: m({**_good(), "input": np.array([["a"] * 512])}),
            r"input 'input': expected float32.*got <U1",
        ),
        (
            lambda m: m({**_good(), "input": np.zeros((1, 256), np.float32)}),
            r"input 'input'.*got shape \[1, 256\]",
        ),
        (
            lambda m: m({**_good(), "state": np.zeros((2, 128), np.float32)}),
            r"input 'state'.*got shape \[2, 128\]",
        ),
        (lambda m: m(_good(), sr=np.array(16000)), r"not both"),
    ],
    ids=[
        "nothing",
        "None",
        "empty",
        "only-input",
        "None-value",
        "extra",
        "misnamed",
        "wrong-dtype-int",
        "complex",
        "strings",
        "wrong-shape",
        "wrong-rank",
        "dict-and-keywords",
    ],
)
def test_bad_input_is_one_clear_error_after_a_good_call(vad, call, message) -> None:
    loader, model = vad
    model(_good(1))  # a previous call's tensors must not answer for the bad one
    with pytest.raises(loader.InputError, match=message):
        call(model)


def test_lossless_conversions_and_keywords_are_accepted(vad) -> None:
    _, model = vad
    good = _good(2)
    want = model(good)["output"]
    as_f64 = {**good, "input": good["input"].astype(np.float64), "sr": np.array([16000], np.int32)}
    np.testing.assert_allclose(model(as_f64)["output"], want, rtol=1e-6)
    np.testing.assert_allclose(model(**good)["output"], want, rtol=1e-6)


def test_openvino_tensors_sharing_numpy_memory_are_copied(vad) -> None:
    import openvino as ov

    _, model = vad
    good = _good(3)
    want = model(good)["output"]
    shared = {k: ov.Tensor(np.ascontiguousarray(v), shared_memory=True) for k, v in good.items()}
    np.testing.assert_allclose(model(shared)["output"], want, rtol=1e-6)


def test_a_closed_model_refuses_calls(vad_artifact: Path) -> None:
    loader = import_loader(vad_artifact)
    model = loader.load()
    model.close()
    model.close()  # idempotent
    with pytest.raises(loader.ModelClosedError):
        model(_good())
