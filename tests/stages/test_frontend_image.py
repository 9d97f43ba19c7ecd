"""The image front-end compiled in with PrePostProcessor: u8 images of any size in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import StageError, build, load_recipe
from ovbuild.runtime import import_loader


def _conv_model(path: Path) -> np.ndarray:
    """A real small convolutional model on [1, 3, 32, 32] float input: conv, relu, global mean."""
    import openvino as ov
    import openvino.opset15 as ops

    kernel = np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32)
    image = ops.parameter([1, 3, 32, 32], np.float32, name="pixels")
    image.output(0).set_names({"pixels"})
    conv = ops.convolution(image, ops.constant(kernel), [1, 1], [1, 1], [1, 1], [1, 1])
    out = ops.reduce_mean(ops.relu(conv), ops.constant(np.array([2, 3])), False)
    out.output(0).set_names({"features"})
    ov.save_model(ov.Model([out], [image], "conv"), str(path))
    return kernel


def _recipe(model: Path, store: Path, **frontend) -> dict:
    fe = {"kind": "image", "size": [32, 32], "layout": "NCHW", "mean": [127.5] * 3, "scale": [127.5] * 3}
    return load_recipe(
        raw={
            "name": "toy_image",
            "source": {"kind": "ir", "path": str(model)},
            "device": {"inference_precision": "f32"},
            "frontend": {**fe, **frontend},
            "store": {"root": str(store)},
        }
    )


def test_artifact_takes_uint8_images_of_any_size(tmp_path: Path) -> None:
    import openvino as ov

    _conv_model(tmp_path / "m.xml")
    result = build(_recipe(tmp_path / "m.xml", tmp_path / "store"))
    model = import_loader(result.path).load()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    got = model(image)["features"]
    reference = ov.Core().compile_model(str(tmp_path / "m.xml"), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    expected = reference((image.astype(np.float32).transpose(2, 0, 1)[None] - 127.5) / 127.5)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    bigger = model(rng.integers(0, 256, size=(2, 64, 48, 3), dtype=np.uint8))["features"]
    assert bigger.shape == (2, 4) and np.isfinite(bigger).all()


def test_bad_layout_is_a_clear_error(tmp_path: Path) -> None:
    _conv_model(tmp_path / "m.xml")
    with pytest.raises(StageError, match="frontend.layout"):
        build(_recipe(tmp_path / "m.xml", tmp_path / "store", layout="NHWC"))
