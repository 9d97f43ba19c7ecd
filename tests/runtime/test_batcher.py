"""Dynamic batching: concurrent single-item calls become batched inferences, results go back right."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from ovbuild.runtime.batcher import DynamicBatcher

W = np.random.default_rng(0).standard_normal((16, 8)).astype(np.float32)


def _compiled():
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([-1, 16], np.float32, name="x")
    model = ov.Model([ops.matmul(x, ops.constant(W), False, False)], [x], "batchable")
    return ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})


def _ov_infer_fn(compiled, seen):
    request = compiled.create_infer_request()

    def infer(batch):
        seen.append(batch["x"].shape[0])
        request.infer(batch)
        return {"y": request.get_output_tensor(0).data}

    return infer


def test_eight_threads_are_batched_and_get_their_own_results():
    seen: list[int] = []
    n_threads, per_thread = 8, 25
    results: dict[tuple[int, int], np.ndarray] = {}
    inputs = {
        (t, i): np.full((1, 16), t * 1000 + i, np.float32)
        for t in range(n_threads)
        for i in range(per_thread)
    }
    start = threading.Barrier(n_threads)
    with DynamicBatcher(_ov_infer_fn(_compiled(), seen), max_batch=8, max_wait_ms=5) as batcher:

        def client(t):
            start.wait()
            for i in range(per_thread):
                results[(t, i)] = batcher({"x": inputs[(t, i)]})["y"]

        threads = [threading.Thread(target=client, args=(t,)) for t in range(n_threads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stats = dict(batcher.stats)
    assert len(results) == n_threads * per_thread
    for key, out in results.items():
        assert out.shape == (1, 8)
        np.testing.assert_allclose(out, inputs[key] @ W, rtol=1e-5)
    assert stats["items"] == n_threads * per_thread == sum(seen)
    assert max(seen) > 1 and max(seen) <= 8, seen  # really batched, never above max_batch
    assert stats["batches"] < n_threads * per_thread


def test_different_shapes_are_batched_separately():
    calls = []

    def infer(batch):
        calls.append({k: v.shape for k, v in batch.items()})
        return [batch["x"].sum(axis=1)]

    with DynamicBatcher(infer, max_batch=4, max_wait_ms=20) as batcher:
        futures = [batcher.submit({"x": np.ones((1, n))}) for n in (3, 5, 3, 5)]
        outs = [f.result(5) for f in futures]
    assert [float(o[0][0]) for o in outs] == [3.0, 5.0, 3.0, 5.0]
    assert all(len({s[1] for s in c.values()}) == 1 for c in calls)


def test_errors_reach_every_caller_and_bad_items_are_refused():
    def infer(batch):
        raise RuntimeError("boom")

    with DynamicBatcher(infer, max_batch=2, max_wait_ms=1) as batcher:
        with pytest.raises(RuntimeError, match="boom"):
            batcher({"x": np.ones((1, 2))})
        with pytest.raises(ValueError, match="exceeds max_batch"):
            batcher({"x": np.ones((3, 2))})
        with pytest.raises(ValueError, match="same leading batch dimension"):
            batcher({"x": np.ones((1, 2)), "y": np.ones((2, 2))})
    with pytest.raises(RuntimeError, match="closed"):
        batcher({"x": np.ones((1, 2))})
    with pytest.raises(ValueError, match="max_batch"):
        DynamicBatcher(infer, max_batch=0)


def test_single_array_outputs_and_close_drains_queue():
    with DynamicBatcher(lambda b: b["x"] * 2, max_batch=8, max_wait_ms=50) as batcher:
        futures = [batcher.submit({"x": np.full((1, 2), i, np.float32)}) for i in range(5)]
    assert [float(f.result(0)[0, 0]) for f in futures] == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_two_workers_keep_two_streams_busy_and_close_cleanly():
    import openvino as ov
    import openvino.opset13 as ops

    x = ops.parameter([-1, 16], np.float32, name="x")
    model = ov.Model([ops.matmul(x, ops.constant(W), False, False)], [x], "batchable")
    compiled = ov.Core().compile_model(
        model, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT", "INFERENCE_PRECISION_HINT": "f32"}
    )
    local = threading.local()
    callers = set()

    def infer(batch):
        if not hasattr(local, "request"):
            local.request = compiled.create_infer_request()
        callers.add(threading.current_thread().name)
        local.request.infer(batch)
        return {"y": local.request.get_output_tensor(0).data}

    results = {}
    with DynamicBatcher(infer, max_batch=4, max_wait_ms=1, workers=2) as batcher:

        def client(t):
            for i in range(30):
                results[(t, i)] = batcher({"x": np.full((1, 16), t * 100 + i, np.float32)})["y"]

        threads = [threading.Thread(target=client, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    for (t, i), out in results.items():
        np.testing.assert_allclose(out, np.full((1, 16), t * 100 + i, np.float32) @ W, rtol=1e-5)
    assert len(results) == 240 and callers <= {"ovbuild-batcher-0", "ovbuild-batcher-1"}
    with pytest.raises(ValueError, match="workers"):
        DynamicBatcher(infer, workers=0)
