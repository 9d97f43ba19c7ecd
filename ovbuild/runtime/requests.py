"""Infer requests shared by concurrent calls: a pool that lends each call its own request.

OpenVINO requests are not thread-safe and keep the tensors of their last call; a request is used by
one call at a time and every input is set afresh. No Python callback is ever registered with
OpenVINO and every input is copied into the request's own tensors, so no OpenVINO thread ever
needs the GIL: tearing a model down while holding it cannot deadlock.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np


class ModelClosedError(RuntimeError):
    """The model (or session) was closed; load it again to run it."""


def read_outputs(request: Any, names: list[str]) -> dict[str, np.ndarray]:
    """Copies of a finished request's outputs: nothing returned shares the request's memory."""
    out = {}
    for i, name in enumerate(names):
        tensor = request.get_output_tensor(i)
        if tensor.element_type.get_type_name() == "string":
            out[name] = np.array(tensor.str_data)
        else:
            out[name] = tensor.data.copy()
    return out


class RequestPool:
    """Up to ``size`` infer requests of ``compiled``, created on demand and lent one call at a time.

    Concurrent callers each get a request of their own (a request is small: its input and output
    tensors; the compiled model's streams hold the rest); a caller beyond ``size`` waits for one to
    come back. ``pipeline`` keeps ``width`` requests in flight (one per stream). With ``reset_state``
    (a stateful model called statelessly) every borrowed request starts from the initial state.
    """

    def __init__(self, compiled: Any, size: int, *, width: int = 2, reset_state: bool = False) -> None:
        self.size = max(1, int(size))
        self.width = max(1, min(int(width), self.size))
        self._compiled = compiled
        self._reset_state = reset_state
        self._idle: list[Any] = []
        self._created = 0
        self._lent = 0
        self._parked = 0  # lent to pipelines suspended at a yield: they are not calls in flight
        self._closed = False
        self._cond = threading.Condition()

    def take(self, block: bool = True) -> Any | None:
        """A request for the caller's sole use (``None`` if ``block`` is false and none is free)."""
        with self._cond:
            while True:
                if self._closed:
                    raise ModelClosedError("the model is closed")
                if self._idle:
                    request = self._idle.pop()
                    break
                if self._created < self.size:
                    self._created += 1
                    request = None
                    break
                if not block:
                    return None
                self._cond.wait()
            self._lent += 1
        if request is None:
            try:
                request = self._compiled.create_infer_request()
            except BaseException:
                with self._cond:
                    self._created -= 1
                    self._lent -= 1
                    self._cond.notify()
                raise
        if self._reset_state:
            request.reset_state()
        return request

    def give(self, request: Any) -> None:
        """Return a request that is not running (a closed pool drops it)."""
        with self._cond:
            self._lent -= 1
            if not self._closed:
                self._idle.append(request)
            self._cond.notify_all()

    def infer(self, inputs: dict[str, np.ndarray], output_names: list[str]) -> dict[str, np.ndarray]:
        """One synchronous inference on a borrowed request (OpenVINO releases the GIL meanwhile)."""
        request = self.take()
        try:
            result = request.infer(inputs)  # copies in and out (share_inputs/share_outputs=False)
            return {name: result[i] for i, name in enumerate(output_names)}
        finally:
            self.give(request)

    def pipeline(
        self, jobs: Iterable[tuple[Any, dict[str, np.ndarray]]], output_names: list[str]
    ) -> Iterator[Any]:
        """Run ``(tag, inputs)`` jobs on as many requests as are free, yielding ``(tag, outputs)`` in order.

        At most ``width`` jobs are in flight, so memory stays bounded however long ``jobs`` is.
        Under a THROUGHPUT hint each request runs on its own stream.
        """
        requests = [self.take()]
        while len(requests) < self.width and (extra := self.take(block=False)) is not None:
            requests.append(extra)
        free, running = deque(requests), deque()
        try:
            for tag, inputs in jobs:
                if not free:
                    yield from self._parked_at(self._finish(running, free, output_names), len(requests))
                request = free.popleft()
                if self._reset_state:
                    request.reset_state()
                request.start_async(inputs)
                running.append((tag, request))
            while running:
                yield from self._parked_at(self._finish(running, free, output_names), len(requests))
        finally:
            for _, request in running:  # a consumer that stopped early: let the requests finish first
                request.wait()
            for request in requests:
                self.give(request)

    def _parked_at(self, result: Any, count: int) -> Iterator[Any]:
        """Yield ``result`` with this pipeline's ``count`` requests marked as not in a call, so that
        ``close()`` does not wait for a consumer that may never come back for the rest."""
        with self._cond:
            self._parked += count
            self._cond.notify_all()
        try:
            yield result
        finally:
            with self._cond:
                self._parked -= count
        if self._closed:  # the consumer came back after close(): stop here (finally gives back)
            raise ModelClosedError("the model was closed during this batch")

    @staticmethod
    def _finish(running: deque, free: deque, output_names: list[str]) -> tuple[Any, dict[str, np.ndarray]]:
        tag, request = running.popleft()
        request.wait()
        outputs = read_outputs(request, output_names)
        free.append(request)
        return tag, outputs

    def close(self, timeout: float = 60.0) -> bool:
        """Refuse new calls, wait up to ``timeout`` s for calls in flight, drop the idle requests;
        False on timeout.

        A suspended ``pipeline`` generator keeps its requests (and through them the compiled model)
        until it is resumed or collected; it waits for them to finish before letting them go.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            self._closed = True
            while self._lent > self._parked and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)  # releases the GIL while calls in flight finish
            idle, self._idle = self._idle, []
            drained = self._lent == self._parked
        for request in idle:
            request.wait()  # nothing runs on an idle request; this only makes sure, without the GIL
        del idle
        self._compiled = None
        return drained
