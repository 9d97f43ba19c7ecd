"""`ovbuild validate` knows before building: metric targets, front-end sizes and lengths, input
names, and `auto` without calibration; one clear line per problem, exit 2."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nudenet") is None, reason="nudenet not installed")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["validate.metric=target"], "validate.target: metric 'target' needs validate.target="),
        (["validate.metric=target", "validate.target=no_such_module:score"], "validate.target: cannot import"),  # noqa: E501
        (["frontend.size=[224,224]"], "frontend.size: [224, 224] differs from the model input's H = 320"),
        (["frontend.mean=[1,2]"], "frontend.mean: give 1 or 3 values"),
        (["frontend.std=[1,2,3,4]"], "frontend.std: give 1 or 3 values"),
        (["frontend.resize=squash"], "frontend.resize: 'squash' is not one of"),
        (["+inputs.pixels=[1,3,320,320]"], "inputs.pixels: the model has no input 'pixels'"),
        (["recipe=nudenet_detector", "precision=auto"],
         "calibration: precision auto needs calibration data; add the calibration group"),
    ],
)  # fmt: skip
def test_validate_names_the_key(overrides: list[str], expected: str) -> None:
    proc = run_cli("validate", "recipe=nudenet_detector_int8", *overrides)  # a later recipe= wins
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_good_vision_recipe_validates() -> None:
    proc = run_cli("validate", "recipe=nudenet_detector_auto")
    assert proc.returncode == 0, proc.stderr
