"""A real vision model where plain INT8 misses its accuracy bound and `auto` repairs it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ovbuild import StageError, build
from tests.conftest import recipe_for

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mediapipe") is None, reason="mediapipe not installed"
)


def test_int8_misses_the_bound_and_auto_repairs_it(shared_store: Path) -> None:
    with pytest.raises(StageError, match=r"validate.min: measured cosine 0\.9\d+ is below the minimum 0.99"):
        build(recipe_for("recipe=mediapipe_face_detection_int8", root=shared_store))
    assert not (shared_store / "artifacts" / "mediapipe_face_detection_int8").exists()
    repaired = build(recipe_for("recipe=mediapipe_face_detection_auto", root=shared_store))
    cosine = repaired.manifest["metrics"]["accuracy"]["cosine"]
    assert cosine >= 0.998
    chosen = repaired.manifest["stages"]["compress"]["map"]
    assert chosen["default"] == "int8" and chosen["rules"]  # INT8 with a few layers kept in float
