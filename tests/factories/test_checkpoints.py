"""Checkpoints a recipe names are data: ``torch.load`` never runs pickled code (issue 13, point 7)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from ovbuild.errors import SourceError

PACKAGE = Path(__file__).resolve().parents[2] / "ovbuild"


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def _evil_checkpoint(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "ran.txt"
    path = tmp_path / "evil.pt"
    import torch

    torch.save({"model_state": _Payload(marker)}, path, pickle_protocol=pickle.DEFAULT_PROTOCOL)
    assert not marker.exists()
    return path, marker


def test_speaker_encoder_refuses_a_pickled_payload(tmp_path: Path) -> None:
    from ovbuild.factories.resemblyzer import speaker_encoder

    path, marker = _evil_checkpoint(tmp_path)
    with pytest.raises(SourceError, match=rf"source.args.weights: .*{path}.*weights_only=True"):
        speaker_encoder(weights=str(path))
    assert not marker.exists()


def test_crepe_refuses_a_pickled_payload(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("torchcrepe") is None:
        pytest.skip("torchcrepe is not installed")
    from ovbuild.factories.crepe import crepe

    path, marker = _evil_checkpoint(tmp_path)
    with pytest.raises(SourceError, match=rf"source.args.weights: .*{path}"):
        crepe("tiny", weights=str(path))
    assert not marker.exists()


def _torch_load_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "torch.load":
                calls.append((path, node))
    return calls


def test_every_torch_load_in_ovbuild_passes_weights_only_true() -> None:
    calls = _torch_load_calls()
    assert calls  # the factories do call it
    for path, call in calls:
        flags = {k.arg: ast.unparse(k.value) for k in call.keywords}
        assert flags.get("weights_only") == "True", f"{path.relative_to(PACKAGE)}:{call.lineno}"
