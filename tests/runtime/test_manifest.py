"""The manifest is read through one class: fields typed, older layouts read, newer ones refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import SCHEMA_VERSION, Manifest, ManifestError


def _data(**changes: object) -> dict:
    data = {
        "schema_version": SCHEMA_VERSION,
        "name": "demo",
        "model": "model.xml",
        "inputs": [{"name": "x", "shape": [1, 4], "type": "f32", "numpy_type": "float32"}],
        "outputs": [{"name": "y", "shape": [1, 2], "type": "f32", "numpy_type": "float32"}],
        "files": {"model.xml": {"size": 1, "sha256": "0" * 64}},
        "recipe": {"name": "demo", "precision": {"default": "int8"}, "device": {"priorities": ["CPU"]}},
        "frontend": {"kind": "text", "embedded": True},
        "stages": {"convert": {"task": "feature-extraction", "models": {"model": "model.xml"}}},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _write(folder: Path, data: object) -> Path:
    (folder / "manifest.json").write_text(json.dumps(data))
    return folder


def test_fields_read_as_attributes(tmp_path: Path) -> None:
    manifest = Manifest.read(_write(tmp_path, _data()))
    assert manifest.name == "demo" and manifest.model == "model.xml"
    assert manifest.inputs[0]["name"] == "x" and manifest.outputs[0]["shape"] == [1, 2]
    assert manifest.frontend_kind == "text" and manifest.embedded_frontend
    assert manifest.task == "feature-extraction" and manifest.submodels == {"model": "model.xml"}
    assert manifest.precision == "int8" and manifest.label == "int8"
    assert manifest.device == {"priorities": ["CPU"]} and manifest.blobs == {}


def test_what_emit_writes_reads_back_the_same(tmp_path: Path) -> None:
    manifest = Manifest.read(_write(tmp_path, _data()))
    again = Manifest.from_dict(json.loads(manifest.to_json()))
    assert again == manifest


def test_a_manifest_from_before_schema_versions_is_read_as_version_1(tmp_path: Path) -> None:
    manifest = Manifest.read(_write(tmp_path, _data(schema_version=None)))
    assert manifest.schema_version == 1 and manifest.name == "demo"


def test_a_newer_schema_is_refused_with_one_clear_line(tmp_path: Path) -> None:
    folder = _write(tmp_path, _data(schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(ManifestError, match="newer than this runtime reads") as caught:
        Manifest.read(folder)
    assert str(folder / "manifest.json") in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"inputs": None}, "field 'inputs' is missing"),
        ({"recipe": []}, "field 'recipe' is missing or not a dict"),
        ({"blobs": [1]}, "field 'blobs' is not a dict"),
        ({"schema_version": "1"}, "schema_version '1' is not a positive integer"),
    ],
)
def test_malformed_fields_are_named(tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        Manifest.read(_write(tmp_path, _data(**changes)))


def test_manifest_errors_are_integrity_errors(tmp_path: Path) -> None:
    with pytest.raises(ArtifactIntegrityError, match="missing"):
        Manifest.read(tmp_path)
