"""Inputs are checked at the edge (issue 22, point 4): text items must be ``str``, and a path must
name a regular file before anything opens it (a FIFO would block forever, a device never ends)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ovbuild.runtime import import_loader
from ovbuild.runtime.audio import AudioError, audio_decode
from ovbuild.runtime.inputs import InputError, text_items

BAD_TEXTS: dict[str, tuple[Any, str]] = {
    "None alone": (None, "got NoneType"),
    "a number alone": (5, "got int"),
    "None in a list": (["a", None], "text item 1: expected a str, got NoneType"),
    "an int in a list": (["a", 5], "text item 1: expected a str, got int"),
    "a float in a list": ([1.5], "text item 0: expected a str, got float"),
    "a bool in a list": (["a", "b", True], "text item 2: expected a str, got bool"),
    "bytes in a list": ([b"abc"], "text item 0: expected a str, got bytes"),
    "a nested list": ([["a"]], "text item 0: expected a str, got list"),
    "a dict in a list": (["a", {"text": "b"}], "text item 1: expected a str, got dict"),
    "a lone surrogate": ("caf\udce9", "text item 0: not valid Unicode (a lone surrogate"),
    "a lone surrogate in a list": (["ok", "x\ud800y"], "text item 1: not valid Unicode"),
    "an object": ([object()], "text item 0: expected a str, got object"),
}


@pytest.mark.parametrize("case", BAD_TEXTS, ids=str)
def test_text_items_must_be_str(case: str) -> None:
    item, message = BAD_TEXTS[case]
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        text_items(item)


def test_text_items_keep_strings_and_numpy_strings() -> None:
    assert text_items("a") == ["a"]
    assert text_items(np.array(["a", "bc"])) == ["a", "bc"]


@pytest.fixture(scope="module")
def minilm(minilm_artifact: Path):
    loader = import_loader(minilm_artifact)
    return loader, loader.load()


@pytest.mark.parametrize(
    "case", ["None in a list", "an int in a list", "a lone surrogate", "bytes in a list"]
)
def test_text_model_refuses_non_str_items_naming_them(minilm, case: str) -> None:
    loader, model = minilm  # the artifact's own runtime: its own InputError class
    item, message = BAD_TEXTS[case]
    for call in (model, model.encode):
        with pytest.raises(loader.InputError, match=message.split(" (")[0]):
            call(item)
    assert model(["a", "b"])["sentence_embedding"].shape[0] == 2  # and the model still works


# ---- special files -------------------------------------------------------------------------------


def _fifo(folder: Path) -> Path:
    path = folder / "speech.wav"
    os.mkfifo(path)
    return path


def _socket(folder: Path) -> Path:
    path = folder / "sock.wav"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return path


def _symlink_to_fifo(folder: Path) -> Path:
    link = folder / "link.wav"
    link.symlink_to(_fifo(folder))
    return link


SPECIAL: dict[str, Callable[[Path], Path]] = {
    "FIFO": _fifo,
    "socket": _socket,
    "symlink to a FIFO": _symlink_to_fifo,
    "/dev/zero": lambda folder: Path("/dev/zero"),
    "/dev/null": lambda folder: Path("/dev/null"),
    "/dev/urandom": lambda folder: Path("/dev/urandom"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", SPECIAL, ids=str)
def test_audio_decode_refuses_special_files_without_opening(kind: str, tmp_path: Path) -> None:
    path = SPECIAL[kind](tmp_path)
    started = time.perf_counter()
    with pytest.raises(AudioError, match="not a regular file; refused without opening it"):
        audio_decode(path, 16000)
    assert time.perf_counter() - started < 5


@pytest.fixture(scope="module")
def speaker(speaker_artifact: Path):
    return import_loader(speaker_artifact).load()


@pytest.mark.parametrize("kind", SPECIAL, ids=str)
def test_audio_model_refuses_special_files(kind: str, speaker, chirp: np.ndarray, tmp_path: Path) -> None:
    import soundfile as sf

    path = SPECIAL[kind](tmp_path)
    good = tmp_path / "good.wav"
    sf.write(good, chirp, 16000)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=f"{path.name}.*not a regular file"):  # the artifact's AudioError
        speaker(str(path))
    results = speaker.infer_batch([str(good), str(path), str(good)], on_error="skip")
    assert time.perf_counter() - started < 5
    assert "error" not in results[0] and "error" not in results[2]
    assert "item 1" in results[1]["error"] and "not a regular file" in results[1]["error"]
