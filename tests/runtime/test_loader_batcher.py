"""The generated loader's dynamic batcher on a real batch-dynamic artifact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ovbuild import build, load_recipe
from ovbuild.runtime import import_loader


def _mlp(path: Path) -> None:
    import openvino as ov
    import openvino.opset15 as ops

    rng = np.random.default_rng(3)
    x = ops.parameter([-1, 16], np.float32, name="x")
    x.output(0).set_names({"x"})
    h = ops.relu(ops.matmul(x, ops.constant(rng.standard_normal((16, 32)).astype(np.float32)), False, False))
    y = ops.matmul(h, ops.constant(rng.standard_normal((32, 4)).astype(np.float32)), False, False)
    y.output(0).set_names({"y"})
    ov.save_model(ov.Model([y], [x], "mlp"), str(path))


def test_concurrent_single_calls_are_batched_and_answered_correctly(tmp_path: Path) -> None:
    _mlp(tmp_path / "mlp.xml")
    recipe = load_recipe(
        raw={
            "name": "mlp",
            "source": {"kind": "ir", "path": str(tmp_path / "mlp.xml")},
            "device": {"inference_precision": "f32"},
            "store": {"root": str(tmp_path / "s")},
        }
    )
    model = import_loader(build(recipe).path).load()
    items = [np.random.default_rng(i).standard_normal((1, 16)).astype(np.float32) for i in range(64)]
    expected = [model({"x": item})["y"] for item in items]
    batcher = model.batcher(max_batch=8, max_wait_ms=20)
    try:
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda item: batcher({"x": item})["y"], items))
    finally:
        batcher.close()
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
    assert batcher.stats["items"] == 64
    assert batcher.stats["batches"] < 64 and batcher.stats["max_batch_seen"] > 1
