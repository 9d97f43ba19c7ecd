"""An IR whose tensors have no names (what ``ov.convert_model(torch_module)`` gives) builds and loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild import build
from ovbuild.runtime import import_loader
from tests.conftest import recipe_for


@pytest.fixture(scope="module")
def unnamed_ir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import openvino as ov
    import torch

    class TwoHeads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Linear(8, 6)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            h = torch.relu(self.body(x))
            return h[:, :3], h[:, 3:].softmax(-1)

    torch.manual_seed(0)
    model = ov.convert_model(TwoHeads().eval(), example_input=torch.zeros(1, 8))
    assert not any(port.get_names() for port in model.outputs)  # the case under test
    path = tmp_path_factory.mktemp("unnamed") / "two_heads.xml"
    ov.save_model(model, str(path))
    return path


def test_output_without_tensor_names_builds(unnamed_ir: Path, store: Path) -> None:
    result = build(recipe_for("name=two_heads", "source=ir", f"source.path={unnamed_ir}", root=store))
    outputs = [p["name"] for p in result.manifest.outputs]
    assert outputs == ["output_0", "output_1"]
    model = import_loader(result.path).load()
    out = model({"x": np.ones((1, 8), np.float32)})
    assert set(out) == {"output_0", "output_1"}
    assert np.allclose(out["output_1"].sum(), 1.0, atol=1e-2)


def test_output_without_tensor_names_through_legacy_load_model(unnamed_ir: Path, store: Path) -> None:
    from ovbuild.compat import OpenVINOBackend

    backend = OpenVINOBackend({"store_root": str(store)})
    loaded = backend.load_model("two_heads", {"device": "CPU", "model_path": str(unnamed_ir)})
    assert loaded["status"] == "success", loaded.get("error")
    assert [p["name"] for p in loaded["outputs"]] == ["output_0", "output_1"]
    result = backend.run_inference("two_heads", {"x": np.ones((1, 8), np.float32)})
    assert result["status"] == "success", result.get("error")
    assert set(result["results"]) == {"output_0", "output_1"}
