"""Latency of artifacts as ``ovbuild bench``, sweep reports and ``python loader.py --bench`` all
time them: each artifact loaded through its own loader and called as an application calls it
(``model(model.example_inputs())``), every artifact in the same interleaved rounds
(:mod:`ovbuild.runtime.timing`). A directory holding only an IR (a sweep variant that missed its
gate) is compiled with the LATENCY hint and fed the same kind of example inputs.

With ``isolate=True`` the measurement runs in a fresh Python process (optionally pinned to
``cores``), away from the caller's threads, compiled models and garbage.

>>> time_artifacts({"a": "outputs/artifacts/minilm/1"})  # doctest: +SKIP
{'a': {'median_ms': 2.1, 'low_ms': 2.0, 'high_ms': 2.2, ..., 'what': {...}}}
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("ovbuild.bench")


def _ir_specs(compiled: Any) -> list[dict[str, Any]]:
    """Manifest-style input specs of a compiled IR (dynamic dimensions as -1)."""
    specs = []
    for port in compiled.inputs:
        pshape = port.get_partial_shape()
        dims = [d.get_length() if d.is_static else -1 for d in pshape] if pshape.rank.is_static else [1]
        etype = port.get_element_type()
        kind = "str" if etype.get_type_name() == "string" else etype.to_dtype().name
        specs.append({"name": port.get_any_name(), "shape": dims, "numpy_type": kind})
    return specs


def _recorded_specs(path: Path) -> list[dict[str, Any]] | None:
    """The inputs a manifest beside the IR states, if there is a readable one."""
    try:
        return json.loads((path / "manifest.json").read_text()).get("inputs") or None
    except (OSError, ValueError, AttributeError):
        return None


def artifact_runner(path: Path) -> tuple[Callable[[], Any], dict[str, Any], Any]:
    """``(run, what, keep)`` for one directory: an artifact through its loader, else its IR (a
    gate-missing candidate, a hand-made directory) on the inputs its manifest states, if any;
    ``keep`` holds what must stay alive while ``run`` is used."""
    from ovbuild.runtime.smoke import bench_runner, example_inputs
    from ovbuild.runtime.timing import what_of

    if (path / "loader.py").exists():
        from ovbuild.runtime import import_loader

        model = import_loader(path).load()
        run, what = bench_runner(model)
        return run, what, model
    import openvino as ov

    try:
        import openvino_tokenizers  # noqa: F401  (an in-graph tokenizer's ops)
    except ImportError:
        pass
    compiled = ov.Core().compile_model(str(path / "model.xml"), "CPU", {"PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    inputs = example_inputs(_recorded_specs(path) or _ir_specs(compiled))
    what = what_of(inputs, compiled, device="CPU", call="infer request on the IR (not an artifact)")
    return (lambda: request.infer(inputs)), what, (compiled, request)


def time_artifacts(
    paths: dict[str, str | Path],
    *,
    rounds: int | None = None,
    seconds: float = 2.0,
    isolate: bool = False,
    cores: list[int] | None = None,
) -> dict[str, dict[str, Any]]:
    """Latency of every ``{label: directory}``, interleaved.

    Args:
        paths: artifact (or bare IR) directories.
        rounds: interleaved rounds (default :data:`ovbuild.runtime.timing.ROUNDS`).
        seconds: measuring time per directory, spread over the rounds.
        isolate: measure in a fresh Python process.
        cores: pin that process (or this one, without ``isolate``) to these cores.

    Returns:
        ``{label: Timing.as_dict() plus "machine"}``; a directory that cannot be loaded or run is
        ``{"error": reason}`` and the others are still measured.
    """
    from ovbuild.runtime.timing import ROUNDS, interleaved, machine, pin

    rounds = rounds or ROUNDS
    if isolate:
        return _in_subprocess(paths, rounds, seconds, cores)
    pin(cores)
    runners, whats, keep, results = {}, {}, [], {}
    for label, path in paths.items():
        try:
            runners[label], whats[label], alive = artifact_runner(Path(path))
            keep.append(alive)
        except Exception as exc:  # a broken artifact is reported, the others are still measured
            log.warning("cannot benchmark %s: %s", path, exc)
            results[label] = {"error": f"{type(exc).__name__}: {exc}"}
    if runners:
        per_round = max(seconds / rounds, 0.02)
        timings = interleaved(runners, rounds=rounds, seconds=per_round, what=whats)
        host = machine()
        results.update({label: {**t.as_dict(), "machine": host} for label, t in timings.items()})
    return {label: results[label] for label in paths}


def _in_subprocess(
    paths: dict[str, str | Path], rounds: int, seconds: float, cores: list[int] | None
) -> dict[str, dict[str, Any]]:
    job = {"paths": {k: str(v) for k, v in paths.items()}, "rounds": rounds, "seconds": seconds}
    job["cores"] = cores
    done = subprocess.run(
        [sys.executable, "-m", "ovbuild.bench.timed"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=600 + 10 * seconds * len(paths),
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {label: {"error": f"measuring process failed: {reason}"} for label in paths}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":  # the isolated measuring process: a job on stdin, one JSON line out
    job = json.loads(sys.stdin.read())
    result = time_artifacts(job["paths"], rounds=job["rounds"], seconds=job["seconds"], cores=job["cores"])
    print(json.dumps(result, default=str))
