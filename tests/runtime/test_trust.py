"""The loader treats the manifest as untrusted input (issue 13, point 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import ManifestError
from ovbuild.runtime.trust import UntrustedManifestError, read_manifest
from tests.conftest import recipe_for


@pytest.fixture(scope="module")
def vad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(recipe_for("recipe=silero_vad", root=tmp_path_factory.mktemp("trust") / "store")).path


@pytest.fixture
def copy(vad: Path, tmp_path: Path) -> Path:
    target = tmp_path / "vad"
    shutil.copytree(vad, target)
    return target


def _edit(artifact: Path, change) -> None:
    manifest = json.loads((artifact / "manifest.json").read_text())
    change(manifest)
    (artifact / "manifest.json").unlink()
    (artifact / "manifest.json").write_text(json.dumps(manifest))


def _set(path: str, value: Any):
    def change(manifest: dict) -> None:
        *parents, last = path.split("/")
        node = manifest
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return change


ESCAPES = {
    "model": (_set("model", "../../../etc/passwd"), "model = '../../../etc/passwd' resolves outside"),
    "absolute model": (_set("model", "/etc/passwd"), "model = '/etc/passwd' is not a relative path"),
    "blob": (_set("blobs/CPU/blob", "../elsewhere/CPU.blob"), "blobs.CPU.blob"),
    "listed file": (lambda m: m["files"].update({"../x": {"size": 1, "sha256": "0"}}), "files['../x']"),
    "sub-model": (
        _set("stages/convert/models", {"decoder": "/tmp/decoder.xml"}),
        "stages.convert.models.decoder",
    ),
    "cache dir": (_set("recipe/device/properties", {"CACHE_DIR": "/tmp/ovcache"}), "properties.CACHE_DIR"),
    "per-device cache dir": (
        _set("recipe/device/properties", {"CPU": {"CACHE_DIR": "../c"}}),
        "properties.CPU.CACHE_DIR",
    ),
    "exec graph dump": (
        _set("recipe/device/properties", {"EXEC_GRAPH_PATH": "/tmp/g.xml"}),
        "EXEC_GRAPH_PATH makes OpenVINO write files",
    ),
    "blob property": (
        _set("blobs/CPU/properties", {"CACHE_DIR": "/tmp/x"}),
        "blobs.CPU.properties.CACHE_DIR",
    ),
    "files not a mapping": (_set("files", ["model.bin"]), "field 'files' is missing or not a dict"),
    "no model": (lambda m: m.pop("model"), "field 'model' is missing"),
}


@pytest.mark.parametrize("case", ESCAPES, ids=str)
def test_manifest_fields_that_reach_outside_are_refused(copy: Path, case: str) -> None:
    change, message = ESCAPES[case]
    _edit(copy, change)
    with pytest.raises(ManifestError, match=str(copy / "manifest.json")) as caught:
        read_manifest(copy)
    assert message in str(caught.value)


def test_the_loader_applies_the_check(copy: Path) -> None:
    _edit(copy, _set("recipe/device/properties", {"CACHE_DIR": str(copy.parent / "escaped")}))
    loader = import_loader(copy)
    with pytest.raises(loader.ArtifactIntegrityError, match="CACHE_DIR"):
        loader.load(verify=False)
    assert not (copy.parent / "escaped").exists()


def test_a_cache_dir_inside_the_artifact_is_allowed(copy: Path) -> None:
    _edit(copy, _set("recipe/device/properties", {"CACHE_DIR": "ov_cache"}))
    assert read_manifest(copy).device["properties"] == {"CACHE_DIR": "ov_cache"}


def test_a_symlinked_blob_that_points_outside_is_refused(copy: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (copy / "cache").rename(tmp_path / "outside" / "cache")
    (copy / "cache").symlink_to(tmp_path / "outside" / "cache")
    with pytest.raises(UntrustedManifestError, match="resolves outside"):
        read_manifest(copy)


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "expected a JSON object"), (b"\xff\xfe", "unreadable")],
)
def test_a_corrupt_manifest_is_one_clear_error_naming_the_file(
    copy: Path, content: bytes, message: str
) -> None:
    (copy / "manifest.json").unlink()
    (copy / "manifest.json").write_bytes(content)
    loader = import_loader(copy)
    with pytest.raises(loader.ArtifactIntegrityError, match=message) as caught:
        loader.load()
    assert str(copy / "manifest.json") in str(caught.value)


def test_a_missing_manifest_names_the_file(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    with pytest.raises(ArtifactIntegrityError, match="manifest.json: missing"):
        read_manifest(copy)
