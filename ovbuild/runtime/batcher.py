"""Dynamic batching: group concurrent single-item calls from many threads into one batched inference.

Runtime module (shipped inside every artifact): standard library at top level, numpy lazily.

>>> batcher = DynamicBatcher(lambda b: {"y": b["x"] * 2}, max_batch=8, max_wait_ms=2)  # doctest: +SKIP
>>> batcher({"x": np.ones((1, 4))})["y"].shape  # from any number of threads  # doctest: +SKIP
(1, 4)
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_STOP = object()


class _BatchItem:
    __slots__ = ("inputs", "size", "key", "future")

    def __init__(self, inputs: dict[str, Any]) -> None:
        import numpy as np

        self.inputs = {name: np.asarray(value) for name, value in inputs.items()}
        sizes = {v.shape[0] if v.ndim else 0 for v in self.inputs.values()}
        if len(sizes) != 1 or 0 in sizes:
            raise ValueError(f"batcher: every input needs the same leading batch dimension, got {sizes}")
        self.size = sizes.pop()
        # Only items whose inputs agree on names, dtypes and trailing dims can share a batch.
        self.key = tuple(sorted((n, v.dtype.str, v.shape[1:]) for n, v in self.inputs.items()))
        self.future: Future = Future()


def _split(outputs: Any, sizes: list[int]) -> list[Any]:
    """Split batched outputs (a dict, list/tuple, or one array) back into per-item copies."""
    import numpy as np

    bounds = np.cumsum(sizes)[:-1]
    if isinstance(outputs, dict) or hasattr(outputs, "items"):
        parts = {name: np.split(np.asarray(value), bounds) for name, value in outputs.items()}
        return [{name: parts[name][i].copy() for name in parts} for i in range(len(sizes))]
    if isinstance(outputs, (list, tuple)):
        parts_l = [np.split(np.asarray(value), bounds) for value in outputs]
        return [type(outputs)(p[i].copy() for p in parts_l) for i in range(len(sizes))]
    pieces = np.split(np.asarray(outputs), bounds)
    return [p.copy() for p in pieces]


class DynamicBatcher:
    """Group concurrent calls into batches of up to ``max_batch`` items, waiting at most ``max_wait_ms``.

    Args:
        infer_fn: runs one batch: ``{name: array with leading batch dim}`` -> outputs (dict, list/tuple
            or array) with the same leading batch dim. With ``workers=1`` it is only ever called from
            the batcher's one worker thread, so a single OpenVINO infer request is safe.
        max_batch: the largest batch (in items along axis 0) sent to ``infer_fn``.
        max_wait_ms: how long the first item of a batch waits for company.
        workers: worker threads, each forming and running its own batches. With more than one,
            ``infer_fn`` is called concurrently and must be thread-safe (e.g. one infer request per
            thread on a THROUGHPUT-compiled model, so every stream stays busy).

    Items whose input shapes (beyond axis 0) or dtypes differ are batched separately. An exception in
    ``infer_fn`` is raised in every caller of that batch. ``stats`` counts calls and batches.
    """

    def __init__(
        self,
        infer_fn: Callable[[dict[str, Any]], Any],
        max_batch: int = 8,
        max_wait_ms: float = 2.0,
        workers: int = 1,
    ):
        if workers < 1:
            raise ValueError(f"batcher: workers must be >= 1, got {workers}")
        if max_batch < 1:
            raise ValueError(f"batcher: max_batch must be >= 1, got {max_batch}")
        if max_wait_ms < 0:
            raise ValueError(f"batcher: max_wait_ms must be >= 0, got {max_wait_ms}")
        self.infer_fn = infer_fn
        self.max_batch = int(max_batch)
        self.max_wait = float(max_wait_ms) / 1000.0
        self.stats = {"items": 0, "batches": 0, "max_batch_seen": 0}
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._workers = [
            threading.Thread(target=self._loop, name=f"ovbuild-batcher-{i}", daemon=True)
            for i in range(int(workers))
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, inputs: dict[str, Any]) -> Future:
        """Queue one item (arrays with a leading batch dim, usually 1); returns a Future of its outputs."""
        item = _BatchItem(inputs)
        if item.size > self.max_batch:
            raise ValueError(f"batcher: an item of {item.size} exceeds max_batch={self.max_batch}")
        with self._lock:
            if self._closed:
                raise RuntimeError("batcher: closed")
            self._queue.put(item)
        return item.future

    def __call__(self, inputs: dict[str, Any], timeout: float | None = None) -> Any:
        """Run one item through the next batch and return its own outputs."""
        return self.submit(inputs).result(timeout)

    def close(self) -> None:
        """Finish the queued items and stop the worker thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for _ in self._workers:
                self._queue.put(_STOP)
        for worker in self._workers:
            worker.join()

    def __enter__(self) -> DynamicBatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- worker ----------------------------------------------------------------------------------

    def _collect(
        self, first: _BatchItem, pending: list[_BatchItem], stopping: bool
    ) -> tuple[list[_BatchItem], bool]:
        """The first item's batch: same-key items already pending, then new ones until full or timed out."""
        batch, total, stop = [first], first.size, False
        for item in list(pending):
            if item.key == first.key and total + item.size <= self.max_batch:
                pending.remove(item)
                batch.append(item)
                total += item.size
        deadline = time.perf_counter() + self.max_wait
        # A stopping worker has taken its one stop marker and must not take another worker's.
        while total < self.max_batch and not stopping:
            remaining = deadline - time.perf_counter()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                stop = True
                break
            if item.key == first.key and total + item.size <= self.max_batch:
                batch.append(item)
                total += item.size
            else:
                pending.append(item)
                if item.key == first.key:  # it would overflow this batch: send what we have
                    break
        return batch, stop

    def _run(self, batch: list[_BatchItem]) -> None:
        import numpy as np

        try:
            if len(batch) == 1:
                joined = batch[0].inputs
            else:
                joined = {n: np.concatenate([it.inputs[n] for it in batch]) for n in batch[0].inputs}
            results = _split(self.infer_fn(joined), [it.size for it in batch])
        except BaseException as exc:  # every caller of the batch sees the failure
            for it in batch:
                it.future.set_exception(exc)
            return
        size = sum(it.size for it in batch)
        with self._lock:
            self.stats["items"] += size
            self.stats["batches"] += 1
            self.stats["max_batch_seen"] = max(self.stats["max_batch_seen"], size)
        for it, result in zip(batch, results, strict=True):
            it.future.set_result(result)

    def _loop(self) -> None:
        pending: list[_BatchItem] = []
        stop = False
        while True:
            if pending:
                first = pending.pop(0)
            elif stop:
                return
            else:
                first = self._queue.get()
                if first is _STOP:
                    return
            batch, stopped = self._collect(first, pending, stop)
            stop = stop or stopped
            self._run(batch)
