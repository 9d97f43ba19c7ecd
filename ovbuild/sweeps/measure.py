"""Latency of every variant of a sweep, measured together in interleaved rounds.

All variants are compiled first, then timed round after round, each round running every
variant for ``seconds`` in an order rotated by one per round: a load spike on a shared machine
then hits every variant alike instead of whichever ran during it. A variant's latency is the
median over rounds of its per-round median (``median_ms``) with the interquartile range over
rounds (``iqr_ms``). Built artifacts run through their own generated loader (its device plan and
precompiled blob); a candidate that missed its gate is compiled from its IR in the stage cache.
Measurement happens in the process that writes the report, after every job has finished.
"""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest

log = logging.getLogger("ovbuild.sweeps")

#: What a text model with an in-graph tokenizer is timed on: one real sentence of typical length.
SENTENCE = "The train to Edinburgh was delayed by forty minutes because of a signal failure."


def recorded_bench(metrics: dict[str, Any]) -> dict[str, float] | None:
    """``{"median_ms", "p90_ms"}`` from ``bench`` of a manifest's ``metrics``, if it holds one.

    ``ovbuild bench --write`` and the loader's ``bench()`` record slightly different shapes;
    both are accepted. Sweep reports do not use these (they are measured another way, at
    another time); ``ovbuild show`` does.
    """
    bench = metrics.get("bench")
    if not isinstance(bench, dict):
        return None
    for candidate in (
        bench,
        bench.get("latency"),
        ((bench.get("results") or {}).get("artifact") or {}).get("latency"),
    ):
        if isinstance(candidate, dict) and "median_ms" in candidate:
            return {"median_ms": float(candidate["median_ms"]), "p90_ms": float(candidate.get("p90_ms", 0.0))}
    return None


def example_inputs(compiled: Any, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs for every port: a real sentence for strings, ones for ids and masks, noise for floats;
    dynamic dimensions are 1 (the batch) or taken from a sentence's real length."""
    rng = np.random.default_rng(seed)
    out = {}
    for port in compiled.inputs:
        pshape = port.get_partial_shape()
        shape = [d.get_length() if d.is_static else 1 for d in pshape] if pshape.rank.is_static else [1]
        etype = port.get_element_type()
        if etype.get_type_name() == "string":
            out[port.get_any_name()] = np.full(shape, SENTENCE)
            continue
        dtype = etype.to_dtype()
        if dtype.kind == "f":
            out[port.get_any_name()] = rng.standard_normal(shape).astype(dtype)
        else:
            out[port.get_any_name()] = np.ones(shape, dtype)
    return out


def _compile(path: Path) -> Any:
    """An infer request for an artifact (through its loader) or a bare IR directory."""
    if (path / "manifest.json").exists():
        from ovbuild.runtime import import_loader

        return import_loader(path).load().compiled.create_infer_request()
    import openvino as ov

    try:
        import openvino_tokenizers  # noqa: F401  (an in-graph tokenizer's ops)
    except ImportError:
        pass
    compiled = ov.Core().compile_model(str(path / "model.xml"), "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    return compiled.create_infer_request()


def _summary(round_medians: list[float], latencies: list[float]) -> dict[str, Any]:
    q75, q25 = np.percentile(round_medians, [75, 25])
    return {
        "median_ms": statistics.median(round_medians),
        "iqr_ms": float(q75 - q25),
        "p90_ms": float(np.percentile(latencies, 90)),
        "rounds": len(round_medians),
        "iterations": len(latencies),
        "source": "interleaved",
    }


def measure_interleaved(
    paths: dict[str, str | Path], *, rounds: int = 5, seconds: float = 0.4, warmup: int = 5
) -> dict[str, dict[str, Any]]:
    """Latency of every ``{label: directory}``, interleaved; a variant that cannot be compiled or
    run is ``{"error": reason}`` and the others are still measured."""
    requests: dict[str, tuple[Any, dict]] = {}
    results: dict[str, dict[str, Any]] = {}
    for label, path in paths.items():
        try:
            request = _compile(Path(path))
            inputs = example_inputs(request.get_compiled_model())
            for _ in range(warmup):
                request.infer(inputs)
            requests[label] = (request, inputs)
        except Exception as exc:  # a broken artifact is reported, the others are still measured
            log.warning("cannot benchmark %s: %s", path, exc)
            results[label] = {"error": f"{type(exc).__name__}: {exc}"}
    labels = list(requests)
    medians: dict[str, list[float]] = {n: [] for n in labels}
    every: dict[str, list[float]] = {n: [] for n in labels}
    for r in range(rounds):
        for label in labels[r % len(labels) :] + labels[: r % len(labels)] if labels else []:
            request, inputs = requests[label]
            times: list[float] = []
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline or len(times) < 5:
                started = time.perf_counter()
                request.infer(inputs)
                times.append((time.perf_counter() - started) * 1000)
            medians[label].append(statistics.median(times))
            every[label].extend(times)
    for label in labels:
        results[label] = _summary(medians[label], every[label])
    return results


def measure(path: str | Path, seconds: float) -> dict[str, Any]:
    """One variant alone (``rounds=3``): ``{"median_ms", "iqr_ms", "p90_ms", ...}`` or ``{"error"}``."""
    path = Path(path)
    if (path / "manifest.json").exists():
        try:
            Manifest.read(path)
        except ArtifactIntegrityError as exc:
            return {"error": str(exc)}
    return measure_interleaved({"one": path}, rounds=3, seconds=seconds / 3)["one"]
