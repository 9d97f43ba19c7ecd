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


# Photos of people, animals, objects and printed text shipped by scikit-image, for models whose
# subject is not in the three photos above (detectors of faces and people, text detectors).
_SCENES = (
    *_PHOTOS,
    ("skimage", "data/astronaut.png"),
    ("skimage", "data/camera.png"),
    ("skimage", "data/coffee.png"),
    ("skimage", "data/chelsea.png"),
    ("skimage", "data/motorcycle_left.png"),
    ("skimage", "data/rocket.jpg"),
    ("skimage", "data/text.png"),
    ("skimage", "data/page.png"),
)


def scene_images(count: int = 160, seed: int = 0, size: tuple[int, int] = (384, 512)) -> Iterator[np.ndarray]:
    """``count`` RGB uint8 crops ``[1, h, w, 3]`` of real photos (crops of varied size and aspect
    ratio, scaled to ``size`` so that a model with an embedded front-end sees one input shape and
    compiles once; the front-end's letterbox or crop still has work to do)."""
    from PIL import Image

    images = [Image.open(package_file(pkg, rel)).convert("RGB") for pkg, rel in _SCENES]
    rng = np.random.default_rng(seed)
    for i in range(count):
        image = images[i % len(images)]
        w = int(image.size[0] * rng.uniform(0.5, 1.0))
        h = int(image.size[1] * rng.uniform(0.5, 1.0))
        left = int(rng.integers(0, image.size[0] - w + 1))
        top = int(rng.integers(0, image.size[1] - h + 1))
        crop = image.crop((left, top, left + w, top + h)).resize((size[1], size[0]), Image.BILINEAR)
        yield np.asarray(crop, np.uint8)[None]


def detector_images() -> Iterator[dict[str, Any]]:
    """Raw scene crops for a detector with an embedded image front-end (input ``images``)."""
    for image in scene_images():
        yield {"images": image}


def _with_words(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photo with a few lines of printed words (DejaVu Sans, shipped with matplotlib) on it."""
    from PIL import Image, ImageDraw, ImageFont

    words = "open vino model build cache store recipe image text detector photo street sign exit".split()
    canvas = Image.fromarray(image[0])
    draw = ImageDraw.Draw(canvas)
    font_file = package_file("matplotlib", "mpl-data/fonts/ttf/DejaVuSans.ttf")
    for _ in range(int(rng.integers(1, 5))):
        font = ImageFont.truetype(font_file, int(rng.integers(14, 48)))
        line = " ".join(rng.choice(words, size=int(rng.integers(1, 4))))
        at = (int(rng.integers(0, canvas.size[0] // 2)), int(rng.integers(0, canvas.size[1] - 50)))
        shade = int(rng.integers(0, 60))
        fill = (shade, shade, shade) if rng.random() < 0.5 else (255 - shade,) * 3
        draw.text(at, line, font=font, fill=fill)
    return np.asarray(canvas)[None]


def text_detector_images() -> Iterator[dict[str, Any]]:
    """Scene crops, most with printed words on them, for PP-OCR's text detector with an embedded
    image front-end (input ``x``)."""
    rng = np.random.default_rng(1)
    for image in scene_images(size=(480, 480)):
        yield {"x": _with_words(image, rng) if rng.random() < 0.75 else image}
