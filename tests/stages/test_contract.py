"""Every built-in stage passes :class:`tests.stages.contract.StageContract`."""

from __future__ import annotations

from ovbuild.stages import stage_classes
from tests.stages.contract import StageContract


class TestSource(StageContract):
    stage = "source"


class TestConvert(StageContract):
    stage = "convert"


class TestShape(StageContract):
    stage = "shape"


class TestFrontend(StageContract):
    stage = "frontend"

    def recipe(self, store):
        from tests.stages.contract import tiny_recipe

        image = {
            "kind": "image",
            "size": [16, 16],
            "layout": "NCHW",
            "mean": [127.5] * 3,
            "scale": [127.5] * 3,
        }
        return tiny_recipe(
            store, frontend=image, precision={"default": "fp16"}, calibration=None, validate=None
        )


class TestCalibrate(StageContract):
    stage = "calibrate"


class TestCompress(StageContract):
    stage = "compress"


class TestValidate(StageContract):
    stage = "validate"


class TestSerialize(StageContract):
    stage = "serialize"


class TestPrecompile(StageContract):
    stage = "precompile"


class TestEmit(StageContract):
    stage = "emit"


def test_every_built_in_stage_has_a_contract_class() -> None:
    covered = {cls.stage for cls in StageContract.__subclasses__() if cls.__module__ == __name__}
    assert {c.name for c in stage_classes() if c.__module__.startswith("ovbuild.")} <= covered
