"""The loaded artifact: call it with natural inputs or named tensors, get named NumPy outputs.

Concurrency contract (also in the README):

- ``model(x)`` is safe from any number of threads. Each call borrows its own infer request from a
  pool (one per concurrent caller, at least ``OPTIMAL_NUMBER_OF_INFER_REQUESTS``), so under a
  THROUGHPUT hint concurrent calls run on parallel streams; ``infer_batch`` keeps
  ``OPTIMAL_NUMBER_OF_INFER_REQUESTS`` requests in flight. Every input is set on every call:
  a missing, ``None``, misnamed, wrongly typed or shaped input is an :class:`InputError` naming it,
  never the previous call's tensor.
- A stateful model (``ReadValue``/``Assign``) called as ``model(x)`` starts from its initial state
  every time; state that should persist lives in an explicit ``model.session()``.
- ``infer_batch(items)`` and ``imap(items)`` hold only a bounded window of decoded audio and tensors.
- ``close()`` (or ``with load() as model:``) waits for calls in flight, then releases sessions,
  batchers, requests and the compiled model in that order; ``__del__`` and interpreter exit do
  the same. OpenVINO never holds a Python callback or a tensor sharing NumPy memory, so its threads
  never need the GIL and teardown cannot deadlock.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .batcher import DynamicBatcher
from .batches import FRONTEND_ROWS_PER_REQUEST, Unit, audio_units, run_units
from .inputs import InputError, check_inputs, port_specs
from .manifest import Manifest
from .prepare import HostInputs
from .requests import ModelClosedError, RequestPool
from .session import Session
from .smoke import bench_model, example_inputs
from .split_text import SplitText

_NOTHING = object()
_LIVE: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_live_models() -> None:
    # Before the interpreter starts tearing modules down, so every close runs in a sane state.
    for model in list(_LIVE):
        model.close()


class Model:
    """A compiled artifact. Call it with natural inputs or named tensors; get named NumPy outputs."""

    def __init__(
        self, artifact_dir: Path, manifest: Manifest, compiled: Any, plan: Any, load_seconds: float
    ) -> None:
        self.artifact_dir = artifact_dir
        self.manifest = manifest
        self.compiled = compiled
        self.plan = plan
        self.load_seconds = load_seconds
        self.frontend = manifest.frontend or {}
        self.inputs = port_specs(list(compiled.inputs), [p["name"] for p in manifest.inputs])
        self.input_names = [spec.name for spec in self.inputs]
        self.output_names = [p["name"] for p in manifest.outputs]
        #: A classifier's class names by index (HF ``id2label``), else ``None``.
        self.labels: list[str] | None = manifest.labels
        self.stateful = bool(compiled.create_infer_request().query_state())
        optimal = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        # One request per concurrent caller (up to 16, or more if the device wants more in flight);
        # pipelines keep one request per stream busy, and one more to overlap host-side work.
        self._pool = RequestPool(compiled, max(16, optimal), width=max(2, optimal), reset_state=self.stateful)
        self._host = HostInputs(artifact_dir, manifest, self.input_names)
        self._split = SplitText.for_artifact(artifact_dir, manifest, plan)
        self._closed = False
        self._lock = threading.Lock()
        self._sessions: weakref.WeakSet = weakref.WeakSet()
        self._batchers: weakref.WeakSet = weakref.WeakSet()
        self._parts: dict[str, Any] = {}
        _LIVE.add(self)

    @property
    def device(self) -> str:
        return self.plan.device

    def prepare(self, item: Any) -> dict[str, Any]:
        """Turn one natural input (named dict, array, audio file, strings) into named tensors."""
        return self._host.prepare(item)

    # ---- inference ------------------------------------------------------------------------------

    def __call__(self, item: Any = _NOTHING, **named: Any) -> dict[str, np.ndarray]:
        """Run one input: a natural input (strings, an audio file, an image) or named tensors.

        Raises:
            InputError: an input is missing, ``None``, unknown, or of the wrong type or shape.
            ModelClosedError: after ``close()``.
        """
        if item is _NOTHING or (item is None and not named):
            if not named:
                expected = "; ".join(f"{s.name}: {s.describe()}" for s in self.inputs)
                raise InputError(f"no input given (got {item!r}); this model's inputs are: {expected}")
            item = named
        elif named:
            raise InputError("pass one input or keyword arguments, not both")
        jobs = self._jobs(self.prepare(item))
        if len(jobs) == 1:
            return self._infer(jobs[0])
        outputs = [out for _, out in self._pool.pipeline(((None, job) for job in jobs), self.output_names)]
        return {k: np.concatenate([o[k] for o in outputs]) for k in self.output_names}

    def _infer(self, job: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self._split is not None:  # sentences: tokenizer and model compiled apart (split_text.py)
            return self._split(job[self.input_names[0]])
        return self._pool.infer(job, self.output_names)

    def _jobs(self, prepared: dict[str, Any]) -> list[dict[str, np.ndarray]]:
        """Checked inference inputs for one prepared item: waveform rows of an embedded audio
        front-end are split to fit a static batch of 1, or ``FRONTEND_ROWS_PER_REQUEST`` at a time
        so intermediate tensors stay in cache and the requests spread over the pool."""
        if not self._host.embedded_audio or self.input_names[0] not in prepared:
            return [check_inputs(self.inputs, prepared)]
        rows = np.asarray(prepared[self.input_names[0]])
        step = 1 if (self.inputs[0].shape or [-1])[0] == 1 else FRONTEND_ROWS_PER_REQUEST
        if len(rows) <= step:
            return [check_inputs(self.inputs, prepared)]
        return [
            check_inputs(self.inputs, {**prepared, self.input_names[0]: rows[i : i + step]})
            for i in range(0, len(rows), step)
        ]

    def infer_batch(self, items: Iterable[Any], *, on_error: str = "raise") -> list[dict[str, Any]]:
        """``list(model.imap(items, on_error=...))``: see :meth:`imap`."""
        return list(self.imap(items, on_error=on_error))

    def imap(self, items: Iterable[Any], *, on_error: str = "raise") -> Iterator[dict[str, Any]]:
        """Run many inputs, yielding each one's outputs in order, in bounded memory.

        Requests from the pool run in parallel (every stream busy under a THROUGHPUT hint). Audio
        items (paths, bytes, ``(array, rate)``) are decoded lazily and short clips share inferences.
        With ``on_error="skip"`` a bad item (a directory, an unreadable or non-audio file, an array
        of the wrong dtype, a bad tensor) yields ``{"error": message naming the item}`` and the
        others still run.
        """
        if on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        if self._host.embedded_audio:
            # Named tensors take the generic path; a generator is taken to hold natural audio items.
            if not (isinstance(items, (list, tuple)) and any(isinstance(item, dict) for item in items)):
                units = self._audio_units(items, on_error)
                return run_units(units, lambda jobs: self._pool.pipeline(jobs, self.output_names))
        units = self._item_units(items, on_error)
        return run_units(units, lambda jobs: self._pool.pipeline(jobs, self.output_names))

    def _audio_units(self, items: Iterable[Any], on_error: str) -> Iterator[tuple[Unit, list]]:
        for unit, rows in audio_units(items, self.frontend, self._host.waveform_length, on_error):
            yield unit, ([] if rows is None else self._jobs({self.input_names[0]: rows}))

    def _item_units(self, items: Iterable[Any], on_error: str) -> Iterator[tuple[Unit, list]]:
        for index, item in enumerate(items):
            try:
                jobs = self._jobs(self.prepare(item))
            except (ValueError, TypeError, OSError) as exc:  # InputError and AudioError are ValueErrors
                if on_error == "raise":
                    raise
                yield Unit([index], {index: f"item {index}: {type(exc).__name__}: {exc}"}, None, 0), []
                continue
            yield Unit([index], {}, None, 0), jobs

    # ---- sessions, sub-models, batching -----------------------------------------------------------

    def session(self, role: str | None = None) -> Session:
        """A :class:`Session` (own infer request, persistent state) on the model or a sub-model."""
        compiled = self._checked_open() if role is None else self.submodel(role)
        if role is None:
            session = Session(compiled, self.inputs, self.output_names)
        else:
            outputs = [p.get_any_name() for p in compiled.outputs]
            session = Session(compiled, port_specs(list(compiled.inputs)), outputs)
        self._sessions.add(session)
        return session

    def submodel(self, role: str) -> Any:
        """A compiled sub-model the source exported beside the main one (``encoder``, ``decoder``),
        compiled once on this model's device. Run it through ``model.session(role)``."""
        models = self.manifest.submodels
        if role not in models:
            raise KeyError(f"no sub-model {role!r}; this artifact has {sorted(models)}")
        if models[role] == self.manifest.model:
            return self._checked_open()
        with self._lock:
            if role not in self._parts:
                import openvino as ov

                path = str(self.artifact_dir / models[role])
                self._parts[role] = ov.Core().compile_model(path, self.plan.device, self.plan.properties)
            return self._parts[role]

    def batcher(self, max_batch: int = 8, max_wait_ms: float = 2.0, workers: int = 1) -> DynamicBatcher:
        """A :class:`DynamicBatcher` that groups concurrent single-item calls from many threads
        into one inference; needs an artifact whose batch axis is dynamic (``inputs: [-1, ...]``).
        Closed with the model.

        >>> batched = model.batcher(max_batch=8)  # doctest: +SKIP
        >>> batched(model.prepare(["one sentence"]))  # from any number of threads  # doctest: +SKIP
        """
        self._checked_open()

        def infer(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            if self._host.embedded_audio:  # waveform rows go one (or two) per request
                return self(inputs)
            return self._infer(check_inputs(self.inputs, inputs))

        batcher = DynamicBatcher(infer, max_batch=max_batch, max_wait_ms=max_wait_ms, workers=workers)
        self._batchers.add(batcher)
        return batcher

    # ---- teardown -------------------------------------------------------------------------------

    def _checked_open(self) -> Any:
        if self._closed:
            raise ModelClosedError("the model is closed")
        return self.compiled

    def close(self, timeout: float = 60.0) -> None:
        """Wait (up to ``timeout`` s) for calls in flight, then release everything; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        _LIVE.discard(self)
        for batcher in list(self._batchers):
            batcher.close()
        for session in list(self._sessions):
            session.close()
        if self._split is not None:
            self._split.close(timeout)
        self._pool.close(timeout)
        self._parts.clear()
        self._release()
        self.compiled = None

    def _release(self) -> None:
        """What a task's model drops on close (its transcriber, its generator)."""

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if "_lock" in self.__dict__:  # a half-built model has nothing to release
            self.close()

    # ---- smoke tests and benchmarks ---------------------------------------------------------------

    def example_inputs(self, seed: int = 0) -> dict[str, np.ndarray]:
        """Seeded inputs of the model's recorded shapes and types (for benchmarks and smoke tests)."""
        return example_inputs(self.manifest.inputs, seed)

    def bench(self, seconds: float = 3.0) -> dict[str, Any]:
        """Latency of ``self(example_inputs())`` over about ``seconds`` in interleaved rounds, as
        ``ovbuild bench`` and sweep reports time it (:func:`.smoke.bench_model`)."""
        return {"load_ms": self.load_seconds * 1000, **bench_model(self, seconds)}


__all__ = ["InputError", "Model", "ModelClosedError", "Session"]
