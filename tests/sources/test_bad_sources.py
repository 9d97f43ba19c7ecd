"""Bad sources through the CLI: one clear line naming the source, exit code 2, no artifact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovbuild.config import package_file
from tests.conftest import run_cli


def _artifacts(store: Path) -> list[Path]:
    return sorted((store / "artifacts").rglob("*")) if (store / "artifacts").exists() else []


def _fails(store: Path, *args: str, expect: list[str]) -> str:
    done = run_cli("build", "name=bad_source", *args, f"store.root={store}")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ovbuild: error:")]
    assert errors, done.stderr
    for text in expect:
        assert text in done.stderr, done.stderr
    assert _artifacts(store) == []
    return done.stderr


def _not_a_model(tmp: Path) -> list[str]:
    (tmp / "notes.txt").write_text("just a folder\n")
    return ["source=hf", f"source.path={tmp}"]


def _unknown_model_type(tmp: Path) -> list[str]:
    (tmp / "config.json").write_text(
        json.dumps({"model_type": "flux_capacitor", "architectures": ["FluxModel"]})
    )
    (tmp / "model.safetensors").write_bytes(b"\0" * 16)
    return ["source=hf", f"source.path={tmp}"]


def _hub_id(tmp: Path) -> list[str]:
    return ["source=hf", "source.path=sentence-transformers/all-MiniLM-L6-v2"]


def _tflite_custom_ops(tmp: Path) -> list[str]:
    path = Path(package_file("mediapipe", "modules/selfie_segmentation/selfie_segmentation.tflite"))
    if not path.is_file():
        pytest.skip("mediapipe==0.10.14 is not installed (its selfie segmenter has custom ops)")
    return ["source=tflite", f"source.path={path}"]


def _converter_missing(tmp: Path) -> list[str]:
    return ["source=legacy", "source.converter=legacy_pipeline_that_is_gone:convert"]


def _factory_missing(tmp: Path) -> list[str]:
    return ["source=pytorch", "source.factory=models_gone.crepe:build", "+inputs.frames=[1,1024]"]


CASES = {
    "dir_not_a_model": (_not_a_model, ["source.path", "not a HuggingFace model directory"]),
    "unknown_model_type": (_unknown_model_type, ["source.path", "unknown model_type 'flux_capacitor'"]),
    "hub_id_not_on_disk": (_hub_id, ["source.path", "must be a local directory here (no network)"]),
    "tflite_custom_ops": (
        _tflite_custom_ops,
        ["source.path", "selfie_segmentation.tflite", "Convolution2DTransposeBias"],
    ),
    "converter_does_not_import": (_converter_missing, ["source.converter", "legacy_pipeline_that_is_gone"]),
    "factory_does_not_import": (_factory_missing, ["source.factory", "models_gone.crepe"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_source_fails_clearly(case: str, store: Path, tmp_path: Path) -> None:
    make, expect = CASES[case]
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    _fails(store, *make(source_dir), expect=expect)
