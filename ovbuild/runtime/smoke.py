"""Example inputs and the benchmark every tool runs on an artifact (``python loader.py --bench``,
``ovbuild bench``, sweep reports): the loaded model called as users call it, on the same stated
inputs, timed by :mod:`.timing`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import ROUNDS, interleaved, machine, what_of

#: What a text model with an in-graph tokenizer is timed on: one real sentence of typical length.
SENTENCE = "The train to Edinburgh was delayed by forty minutes because of a signal failure."


_NUMPY_TYPES = {
    "f32": "float32",
    "f16": "float16",
    "i64": "int64",
    "i32": "int32",
    "u8": "uint8",
    "i8": "int8",
    "boolean": "bool",
    "string": "str",
    "f64": "float64",
    "u1": "bool",
}


def numpy_type(ov_type: str) -> str:
    """The NumPy type name of an OpenVINO element type name (``f32`` -> ``float32``)."""
    return _NUMPY_TYPES.get(ov_type, "float32")


def example_inputs(specs: list[dict[str, Any]], seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs of the recorded shapes and types (a manifest's ``inputs``); dynamic dims are 1,
    strings are :data:`SENTENCE`."""
    rng = np.random.default_rng(seed)
    out = {}
    for spec in specs:
        shape = [d if d > 0 else 1 for d in (spec["shape"] or [])]
        dtype = np.dtype(spec.get("numpy_type") or numpy_type(str(spec.get("type"))))
        if dtype.kind == "f":
            out[spec["name"]] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            out[spec["name"]] = np.full(shape, spec.get("example_value", 1), dtype)
        elif dtype.kind in "US":
            out[spec["name"]] = np.full(shape, SENTENCE)
        else:
            out[spec["name"]] = np.zeros(shape, dtype)
    return out


def bench_runner(model: Any) -> tuple[Callable[[], Any], dict[str, Any]]:
    """``(run, what)``: one call of a loaded :class:`~.model.Model` on its :meth:`example_inputs`,
    through ``model(...)`` as an application calls it, and what that call is."""
    inputs = model.example_inputs()
    what = what_of(inputs, model.compiled, device=model.device, call="model(example_inputs())")
    return (lambda: model(inputs)), what


def bench_model(model: Any, seconds: float = 3.0, rounds: int = ROUNDS) -> dict[str, Any]:
    """Latency of :func:`bench_runner` over about ``seconds``, in ``rounds`` rounds: the median with
    its confidence interval, what was timed, and the machine (CPU, affinity, load)."""
    run, what = bench_runner(model)
    timing = interleaved({"artifact": run}, rounds=rounds, seconds=seconds / rounds, what={"artifact": what})
    return {**timing["artifact"].as_dict(), "machine": machine()}
