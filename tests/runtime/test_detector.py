"""A detector artifact (``postprocess: {kind: detection}``) loads as a ``DetectorModel`` whose
``detect`` gives each image's labelled boxes in its own pixels, as NudeNet's own ONNX model run by
onnxruntime finds them (pre-processed as NudeNet does it, decoded as the ``detection`` metric does)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import recipe_for

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def detector(shared_store: Path):
    from ovbuild import build
    from ovbuild.runtime import import_loader

    # at f32, so its scores compare closely with onnxruntime's
    recipe = recipe_for("recipe=nudenet_detector", "device.inference_precision=f32", root=shared_store)
    return import_loader(build(recipe).path).load()


def _onnxruntime_detections(image: np.ndarray, labels: list[str], threshold: float) -> list[tuple]:
    """NudeNet's way: pad to a square at the bottom/right with black, resize to 320, RGB / 255;
    the same YOLO decode and per-class NMS; boxes scaled back by the square's side / 320."""
    import onnxruntime
    from PIL import Image

    from ovbuild.config import package_file
    from ovbuild.metrics.detection import decode_yolo
    from ovbuild.runtime.detection import scored_detections

    side = max(image.shape[:2])
    square = np.zeros((side, side, 3), np.uint8)
    square[: image.shape[0], : image.shape[1]] = image
    resized = np.asarray(Image.fromarray(square).resize((320, 320), Image.BILINEAR), np.float32) / 255.0
    session = onnxruntime.InferenceSession(
        package_file("nudenet", "320n.onnx"), providers=["CPUExecutionProvider"]
    )
    outputs = session.run(None, {session.get_inputs()[0].name: resized.transpose(2, 0, 1)[None]})
    boxes, classes, scores = scored_detections(decode_yolo(outputs), threshold, 0.5)
    boxes = np.clip(boxes * side / 320, 0, [image.shape[1], image.shape[0]] * 2)
    return [(labels[c], float(s), tuple(b)) for b, c, s in zip(boxes, classes, scores, strict=True)]


def _iou(a: tuple, b: tuple) -> float:
    from ovbuild.runtime.detection import iou_matrix

    return float(iou_matrix(np.array([a]), np.array([b]))[0, 0])


def _matched(found: list[tuple], others: list[tuple], min_score: float) -> bool:
    """Every detection of ``found`` scoring at least ``min_score`` has one in ``others`` of its
    label, with nearly the same box and score."""
    for label, score, box in found:
        if score >= min_score and not any(
            label == o_label and _iou(box, o_box) > 0.9 and abs(score - o_score) < 0.03
            for o_label, o_score, o_box in others
        ):
            return False
    return True


def test_detector_finds_what_onnxruntime_finds_in_image_pixels(detector) -> None:
    from ovbuild.factories.photo_crops import scene_images

    assert type(detector).__name__ == "DetectorModel"
    assert not hasattr(detector, "classify") and not hasattr(detector, "encode")
    labels = detector.manifest.postprocess["labels"]
    photos = [batch[0] for batch in scene_images(count=11)]  # the calibration factory's real photos
    found = detector.detect(photos, score_threshold=0.25)
    assert len(found) == len(photos)
    assert sum(len(d) for d in found) >= 2  # faces in the photos of people: the test can fail
    for photo, dets in zip(photos, found, strict=True):
        reference = _onnxruntime_detections(photo, labels, 0.25)
        # near the threshold a box may fall on either side of it; above it they must agree
        assert _matched(dets, reference, 0.3) and _matched(reference, dets, 0.3), (dets, reference)
        h, w = photo.shape[:2]
        for label, score, (x1, y1, x2, y2) in dets:
            assert label in labels and 0.25 <= score <= 1.0
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
        assert [s for _, s, _ in dets] == sorted((s for _, s, _ in dets), reverse=True)


def test_detect_thresholds_and_refuses_what_is_not_a_list_of_images(detector, tmp_path: Path) -> None:
    from PIL import Image

    from ovbuild.factories.photo_crops import scene_images

    photo = list(scene_images(count=4))[3][0]  # the astronaut: her face, and more below 0.5
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    (low,), (high,) = (
        detector.detect([path], score_threshold=0.1),
        detector.detect([photo], score_threshold=0.5),
    )
    assert high == [d for d in low if d[1] >= 0.5] and len(low) > len(high) >= 1
    with pytest.raises(TypeError, match="list of images"):
        detector.detect(photo)
    with pytest.raises(TypeError, match="list of images"):
        detector.detect(path)
    with pytest.raises(ValueError, match="one image per item"):  # the artifact's own InputError
        detector.detect([np.stack([photo, photo])])
