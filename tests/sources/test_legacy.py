"""Legacy converter sources: a function returning an ``openvino.Model`` or a model file path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.config import package_file
from ovbuild.errors import SourceError
from ovbuild.runtime import import_loader
from ovbuild.sources import legacy
from tests.conftest import recipe_for

SILERO = package_file("silero_vad", "data/silero_vad_16k_op15.onnx")


def _vad_inputs() -> dict[str, np.ndarray]:
    t = np.arange(512) / 16000
    return {
        "input": (0.3 * np.sin(2 * np.pi * 220 * t))[None].astype(np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000, np.int64),
    }


def _direct() -> list[np.ndarray]:
    import openvino as ov

    model = ov.convert_model(SILERO, input={"input": [1, 512], "state": [2, 1, 128], "sr": []})
    compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return list(compiled(_vad_inputs()).values())


@pytest.mark.slow
def test_legacy_converter_returning_a_model(shared_store: Path) -> None:
    result = build(recipe_for("recipe=legacy_example", "device.inference_precision=f32", root=shared_store))
    assert result.manifest.stages["convert"]["returned"] == "model"
    got = list(import_loader(result.path).load()(_vad_inputs()).values())
    want = _direct()
    assert len(got) == len(want) == 2
    for a, b in zip(got, want, strict=True):
        assert np.abs(a - b).max() < 1e-5


@pytest.mark.slow
def test_legacy_converter_returning_a_path(shared_store: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "old_pipeline.py").write_text(
        textwrap.dedent(
            f"""
            def export(out_dir):
                return {SILERO!r}
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = build(
        recipe_for(
            "source=legacy",
            "name=legacy_path",
            "source.converter=old_pipeline:export",
            f"+source.args.out_dir={tmp_path}",
            "+inputs.input=[1,512]",
            "+inputs.state=[2,1,128]",
            "+inputs.sr=[]",
            root=shared_store,
        )
    )
    assert result.manifest.stages["convert"]["returned"] == "path"
    assert [p["name"] for p in result.manifest.inputs] == ["input", "state", "sr"]


def test_converter_that_does_not_import_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"source.converter: cannot import module 'legacy_missing_xyz'"):
        legacy.input_files({"kind": "legacy", "converter": "legacy_missing_xyz:convert"})


def test_converter_reference_must_name_a_function() -> None:
    with pytest.raises(SourceError, match="expected 'module:function'"):
        legacy.input_files({"kind": "legacy", "converter": "just_a_module"})
