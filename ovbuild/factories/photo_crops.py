"""Calibration images for small vision models from the real photos that pip packages ship.

No image data set is reachable here, so calibration uses many random crops (scale, position,
mirror) of the sample photos shipped with matplotlib and scikit-learn, resized to the model input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ovbuild.config import package_file

_PHOTOS = (
    ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),
    ("sklearn", "datasets/images/china.jpg"),
    ("sklearn", "datasets/images/flower.jpg"),
)


def photo_crops(count: int = 160, size: int = 128, seed: int = 0) -> Iterator[np.ndarray]:
    """``count`` RGB float crops ``[size, size, 3]`` in [0, 255] of the shipped photos."""
    from PIL import Image

    images = [Image.open(package_file(pkg, rel)).convert("RGB") for pkg, rel in _PHOTOS]
    rng = np.random.default_rng(seed)
    for i in range(count):
        image = images[i % len(images)]
        side = int(min(image.size) * rng.uniform(0.3, 1.0))
        left = int(rng.integers(0, image.size[0] - side + 1))
        top = int(rng.integers(0, image.size[1] - side + 1))
        crop = image.crop((left, top, left + side, top + side)).resize((size, size), Image.BILINEAR)
        if rng.random() < 0.5:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        yield np.asarray(crop, np.float32)


def face_detector_inputs() -> Iterator[dict[str, Any]]:
    """MediaPipe BlazeFace inputs: ``input`` ``[1, 128, 128, 3]`` scaled to [-1, 1]."""
    for crop in photo_crops(size=128):
        yield {"input": (crop / 127.5 - 1.0)[None].astype(np.float32)}
