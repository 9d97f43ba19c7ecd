"""Hostile manifests (issue 22, point 4): each is refused before any work, within 5 s, in one line
naming the manifest, by ``load()`` and by ``ovbuild verify`` (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ovbuild.cli.main import main as ovbuild_main
from ovbuild.runtime import import_loader
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest_schema import MAX_BYTES, MAX_DEPTH, MAX_FILES
from ovbuild.runtime.trust import read_manifest

SHA = "0" * 64


def _with(change: Callable[[dict], Any]) -> Callable[[dict], str]:
    def text(manifest: dict) -> str:
        change(manifest)
        return json.dumps(manifest)

    return text


def _file(rel: str, info: Any) -> Callable[[dict], str]:
    return _with(lambda m: m["files"].update({rel: info}))


def _deep(depth: int) -> Callable[[dict], str]:
    def text(manifest: dict) -> str:
        body = json.dumps(manifest)
        return body[:-1] + ', "metrics": ' + "[" * depth + "]" * depth + "}"

    return text


def _many_files(count: int) -> Callable[[dict], str]:
    return _with(lambda m: m["files"].update({f"f{i}.bin": {"size": 1, "sha256": SHA} for i in range(count)}))


def _raw(text: str | bytes) -> Callable[[dict], str | bytes]:
    return lambda manifest: text


# case -> (what to write as manifest.json, a phrase the one-line error must hold)
CASES: dict[str, tuple[Callable[[dict], Any], str]] = {
    "not JSON": (_raw("{nope"), "not valid JSON"),
    "empty": (_raw(""), "not valid JSON"),
    "truncated": (lambda m: json.dumps(m)[:500], "not valid JSON"),
    "not UTF-8": (_raw(b'{"files": "\xff\xfe"}'), "not UTF-8"),
    "UTF-8 BOM": (lambda m: "\ufeff" + json.dumps(m), "not valid JSON"),
    "a list": (_raw("[]"), "expected a JSON object"),
    "null": (_raw("null"), "expected a JSON object"),
    "a number": (_raw("5"), "expected a JSON object"),
    "a string": (_raw('"manifest"'), "expected a JSON object"),
    "100k-deep nesting": (_deep(100_000), "nested deeper"),
    "1000-deep nesting": (_deep(1_000), "nested deeper"),
    f"{MAX_DEPTH + 1}-deep nesting": (_deep(MAX_DEPTH + 1), "nested deeper"),
    "40k file entries": (_many_files(40_000), f"at most {MAX_FILES}"),
    "larger than the size limit": (lambda m: json.dumps(m) + " " * MAX_BYTES, "bytes"),
    "entry without size": (_file("model.bin", {"sha256": SHA}), "size is missing"),
    "size a string": (_file("model.bin", {"size": "12", "sha256": SHA}), "size is missing"),
    "size negative": (_file("model.bin", {"size": -1, "sha256": SHA}), "size is missing"),
    "size a float": (_file("model.bin", {"size": 1.5, "sha256": SHA}), "size is missing"),
    "size a bool": (_file("model.bin", {"size": True, "sha256": SHA}), "size is missing"),
    "size NaN": (_file("model.bin", {"size": float("nan"), "sha256": SHA}), "size is missing"),
    "size null": (_file("model.bin", {"size": None, "sha256": SHA}), "size is missing"),
    "entry without sha256": (_file("model.bin", {"size": 1}), "no sha256"),
    "sha256 a number": (_file("model.bin", {"size": 1, "sha256": 5}), "no sha256"),
    "sha256 short": (_file("model.bin", {"size": 1, "sha256": "abc"}), "no sha256"),
    "sha256 not hex": (_file("model.bin", {"size": 1, "sha256": "z" * 64}), "no sha256"),
    "entry a list": (_file("model.bin", [1, SHA]), "is not an object"),
    "entry null": (_file("model.bin", None), "is not an object"),
    "entry a string": (_file("model.bin", SHA), "is not an object"),
    "lone surrogate in a path": (
        _file("model\ud800.bin", {"size": 1, "sha256": SHA}),
        "not a valid file name",
    ),
    "NUL in a path": (_file("model\x00.bin", {"size": 1, "sha256": SHA}), "not a relative path"),
    "empty path": (_file("", {"size": 1, "sha256": SHA}), "not a relative path"),
    "files a list": (_with(lambda m: m.update(files=[])), "'files' is missing"),
    "inputs an object": (_with(lambda m: m.update(inputs={})), "'inputs' is missing"),
    "inputs of numbers": (_with(lambda m: m.update(inputs=[5])), "inputs[0] is not an object"),
    "input without name": (_with(lambda m: m.update(inputs=[{"shape": [1]}])), "string 'name'"),
    "outputs null": (_with(lambda m: m.update(outputs=None)), "'outputs' is missing"),
    "too many outputs": (_with(lambda m: m.update(outputs=[{"name": "o"}] * 1001)), "at most 1000"),
    "recipe a string": (_with(lambda m: m.update(recipe="x")), "'recipe' is missing"),
    "no recipe": (_with(lambda m: m.pop("recipe")), "'recipe' is missing"),
    "model a number": (_with(lambda m: m.update(model=5)), "'model' is missing"),
    "blob entry a number": (_with(lambda m: m.update(blobs={"CPU": 5})), "blobs.CPU is not an object"),
    "blobs a list": (_with(lambda m: m.update(blobs=[])), "'blobs' is not a dict"),
    "stages a string": (_with(lambda m: m.update(stages="x")), "'stages' is not a dict"),
    "convert a list": (_with(lambda m: m["stages"].update(convert=[])), "stages.convert is not"),
    "sub-models a list": (
        _with(lambda m: m["stages"].setdefault("convert", {}).update(models=["a.xml"])),
        "stages.convert.models is not",
    ),
    "device properties a list": (
        _with(lambda m: m["recipe"]["device"].update(properties=[1])),
        "properties is not an object",
    ),
    "device a string": (_with(lambda m: m["recipe"].update(device="CPU")), "recipe.device is not"),
    "frontend a list": (_with(lambda m: m.update(frontend=[])), "'frontend' is not a dict"),
}


@pytest.fixture(scope="module")
def original(vad_artifact: Path) -> dict:
    return json.loads((vad_artifact / "manifest.json").read_text())


@pytest.fixture
def copy(vad_artifact: Path, tmp_path: Path) -> Path:
    target = tmp_path / "vad"
    shutil.copytree(vad_artifact, target)
    (target / "manifest.json").chmod(0o644)
    return target


def _write(artifact: Path, content: str | bytes) -> None:
    path = artifact / "manifest.json"
    path.unlink()
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))


def _refused_in_one_line(
    artifact: Path, capsys: pytest.CaptureFixture, phrase: str, *, cli_names_it: bool = True
) -> None:
    started = time.perf_counter()
    with pytest.raises(ArtifactIntegrityError) as caught:
        read_manifest(artifact)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert str(artifact / "manifest.json") in message and phrase in message, message
    assert "\n" not in message

    started = time.perf_counter()
    assert ovbuild_main(["verify", str(artifact)]) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err.strip()
    assert err.startswith("ovbuild: error:") and "\n" not in err, err
    assert phrase in err or not cli_names_it, err  # without a manifest file the path is not an artifact


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_manifest_is_refused_fast_in_one_line(
    case: str, copy: Path, original: dict, capsys: pytest.CaptureFixture
) -> None:
    make, phrase = CASES[case]
    _write(copy, make(json.loads(json.dumps(original))))
    _refused_in_one_line(copy, capsys, phrase)


SPECIAL = {
    "a FIFO": lambda path: os.mkfifo(path),
    "a directory": lambda path: path.mkdir(),
    "a symlink": lambda path: path.symlink_to("/etc/hostname"),
    "missing": lambda path: None,
}


@pytest.mark.parametrize("kind", SPECIAL, ids=str)
def test_manifest_that_is_not_a_regular_file_is_refused_without_hanging(
    kind: str, copy: Path, capsys: pytest.CaptureFixture
) -> None:
    path = copy / "manifest.json"
    path.unlink()
    SPECIAL[kind](path)
    phrase = {"a FIFO": "not a regular file", "a directory": "not a regular file", "a symlink": "a symlink"}
    _refused_in_one_line(copy, capsys, phrase.get(kind, "missing"), cli_names_it=False)


def test_the_loader_refuses_a_hostile_manifest_before_compiling(copy: Path, original: dict) -> None:
    _write(copy, _deep(100_000)(original))
    loader = import_loader(copy)
    started = time.perf_counter()
    with pytest.raises(loader.ArtifactIntegrityError, match="nested deeper"):
        loader.load()
    assert time.perf_counter() - started < 5
