"""Sessions: one conversation with a model, whose OpenVINO state persists from call to call.

A stateful model (``ReadValue``/``Assign`` variables, e.g. an LLM's or Whisper decoder's KV cache)
keeps its state in the infer request. A session owns one request, so its state is never mixed with
another session's or with plain ``model(...)`` calls (which always start from the initial state).

>>> with model.session() as s:  # doctest: +SKIP
...     first = s(step_1_inputs)
...     second = s(step_2_inputs)  # sees the state step 1 left
...     s.reset()  # back to the initial state
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from .inputs import InputError, PortSpec, check_inputs
from .requests import ModelClosedError


def merge_inputs(inputs: Mapping[str, Any] | None, named: dict[str, Any]) -> dict[str, Any]:
    """One dict from ``f(inputs)`` or ``f(**named)``; both at once is ambiguous."""
    if inputs is not None and named:
        raise InputError("pass the inputs as one dict or as keyword arguments, not both")
    if inputs is None:
        return dict(named)
    if not isinstance(inputs, Mapping):
        raise InputError(f"expected a dict of named inputs, got {type(inputs).__name__}")
    return dict(inputs)


class Session:
    """One infer request of its own, and the state it carries, for a sequence of related calls.

    Calls on one session are serialized (a lock), so sharing a session between threads is safe but
    makes them take turns; give each conversation its own session. Get one from
    ``model.session()`` (or ``model.session("decoder")`` for a sub-model of the artifact).
    """

    def __init__(self, compiled: Any, inputs: list[PortSpec], output_names: list[str]) -> None:
        self._inputs = inputs
        self.input_names = [spec.name for spec in inputs]
        self.output_names = list(output_names)
        self._lock = threading.Lock()
        self._request: Any = compiled.create_infer_request()
        self.stateful = bool(self._request.query_state())

    def _live(self) -> Any:
        if self._request is None:
            raise ModelClosedError("the session is closed")
        return self._request

    def __call__(self, inputs: Mapping[str, Any] | None = None, **named: Any) -> dict[str, np.ndarray]:
        """Run one step: named tensors in (all of them, every time), named NumPy copies out."""
        checked = check_inputs(self._inputs, merge_inputs(inputs, named))
        with self._lock:
            result = self._live().infer(checked)  # copies in and out
            return {name: result[i] for i, name in enumerate(self.output_names)}

    def reset(self) -> None:
        """Back to the model's initial state."""
        with self._lock:
            self._live().reset_state()

    def state(self) -> dict[str, np.ndarray]:
        """A copy of every state variable, by name."""
        with self._lock:
            return {v.name: np.array(v.state.data, copy=True) for v in self._live().query_state()}

    def set_state(self, name: str, value: Any) -> None:
        """Replace one state variable (a copy of ``value`` is taken)."""
        import openvino as ov

        with self._lock:
            variables = {v.name: v for v in self._live().query_state()}
            if name not in variables:
                raise KeyError(f"no state variable {name!r}; this session has {sorted(variables)}")
            current = variables[name].state
            array = np.array(value, dtype=current.data.dtype, copy=True)
            variables[name].state = ov.Tensor(array, shared_memory=False)

    def close(self) -> None:
        """Release the request (and its state); later calls raise :class:`ModelClosedError`."""
        with self._lock:
            request, self._request = self._request, None
        if request is not None:
            request.wait()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
