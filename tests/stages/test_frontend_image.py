"""The image front-end compiled in with PrePostProcessor: u8 images of any size in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import RecipeError, StageError, build, load_recipe
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
    with pytest.raises((StageError, RecipeError), match="frontend.layout"):  # caught when the recipe loads
        build(_recipe(tmp_path / "m.xml", tmp_path / "store", layout="NHWC"))


@pytest.mark.parametrize("embed", [True, False])
def test_image_dir_calibration_goes_through_the_front_end(tmp_path: Path, embed: bool) -> None:
    """INT8 calibrated from a folder of real photos of different sizes, with the steps in the graph
    or host-side; both artifacts agree with the float model on a photo they never saw."""
    import openvino as ov
    from PIL import Image

    from ovbuild.factories.photo_crops import scene_images

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(12):
        image = next(scene_images(count=1, seed=i, size=(40 + 8 * i, 64)))
        Image.fromarray(image[0]).save(photos / f"{i}.jpg" if i % 2 else photos / f"{i}.png")
    _conv_model(tmp_path / "m.xml")
    recipe = _recipe(tmp_path / "m.xml", tmp_path / "store", resize="letterbox", pad_value=114, embed=embed)
    recipe["precision"]["default"] = "int8"
    recipe["calibration"] = {"kind": "image_dir", "path": str(photos), "samples": 10, "holdout": 2, "seed": 0}
    result = build(recipe)
    assert result.manifest.stages["calibrate"]["calibration_samples"] == 10
    assert (result.path / "assets" / "image_preprocess.xml").is_file() != embed
    model = import_loader(result.path).load()
    photo = next(scene_images(count=1, seed=5, size=(50, 90)))[0]
    reference = ov.Core().compile_model(
        _float_with_steps(tmp_path / "m.xml", recipe["frontend"]), "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    np.testing.assert_allclose(model(photo)["features"], reference(photo[None])[0], rtol=0.1, atol=0.05)


def _float_with_steps(xml: Path, frontend: dict):
    import openvino as ov

    from ovbuild.frontends.image import ImageSteps, embed

    return embed(ov.Core().read_model(str(xml)), ImageSteps.from_config(frontend))
