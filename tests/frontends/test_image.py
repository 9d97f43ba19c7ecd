"""Each image front-end step against a Pillow/NumPy reference on real photos, in the graph and
host-side (the standalone IR the loader and calibration run)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ovbuild.config import package_file
from ovbuild.frontends.image import ImageSteps, preprocess_model

PHOTOS = [("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"), ("sklearn", "datasets/images/china.jpg")]


def _reference(img: Image.Image, steps: ImageSteps) -> np.ndarray:
    th, tw = steps.size
    if steps.resize == "letterbox":
        w, h = img.size
        nh, nw = max(h, -(-w * th // tw)), max(w, -(-h * tw // th))
        canvas = Image.new("RGB", (nw, nh), (int(steps.pad_value),) * 3)
        at = ((nw - w) // 2, (nh - h) // 2) if steps.letterbox_anchor == "center" else (0, 0)
        canvas.paste(img, at)
        img = canvas.resize((tw, th), Image.BILINEAR)
    elif steps.resize == "shorter_side":
        w, h = img.size
        s = steps.shorter_side
        nw, nh = w * s // min(w, h), h * s // min(w, h)  # torchvision's Resize(s) sizes
        top, left = (nh - th) // 2, (nw - tw) // 2
        img = img.resize((nw, nh), Image.BILINEAR).crop((left, top, left + tw, top + th))
    else:
        img = img.resize((tw, th), Image.BILINEAR)
    x = np.asarray(img, np.float32)
    if steps.channels == "BGR":
        x = x[..., ::-1]
    x = (x - np.asarray(steps.mean, np.float32)) / np.asarray(steps.std, np.float32)
    return x.transpose(2, 0, 1)[None]


@pytest.mark.parametrize(
    "steps",
    [
        ImageSteps(size=(224, 160)),
        ImageSteps(size=(224, 160), resize="letterbox", pad_value=114),
        ImageSteps(size=(320, 320), resize="letterbox", letterbox_anchor="top_left", std=(255.0,)),
        ImageSteps(size=(224, 224), resize="shorter_side", shorter_side=256,
                   mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375)),
        ImageSteps(size=(192, 256), channels="BGR", mean=(104.0, 117.0, 123.0), std=(2.0, 3.0, 4.0)),
    ],
    ids=["stretch", "letterbox-center", "letterbox-top-left", "shorter-side-crop", "bgr-mean-std"],
)  # fmt: skip
def test_each_step_matches_pillow_on_real_photos(steps: ImageSteps) -> None:
    import openvino as ov

    shape = ov.PartialShape([1, 3, *steps.size])
    compiled = ov.Core().compile_model(
        preprocess_model(steps, shape, ov.Type.f32), "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
    )
    std = np.asarray(steps.std, np.float32).reshape(1, -1, 1, 1)
    for pkg, rel in PHOTOS:
        img = Image.open(package_file(pkg, rel)).convert("RGB")
        got = compiled(np.asarray(img)[None])[0]
        want = _reference(img, steps)
        assert got.shape == want.shape
        # Pillow rounds its resized pixels to uint8; the graph keeps them in float: < 1 grey level.
        assert np.abs((got - want) * std).max() <= 1.0 + 1e-3
        assert np.abs((got - want) * std).mean() < 0.5
