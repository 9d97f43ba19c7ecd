"""What every check receives (:class:`CheckEnv`) and returns (:class:`CheckResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RUNS = 20  # timed repetitions per check; the median is reported


@dataclass(frozen=True)
class CheckEnv:
    """The shared inputs of one ``ovbuild check`` run.

    Attributes:
        backend: the legacy facade (:class:`ovbuild.compat.OpenVINOBackend`) every check goes through.
        workdir: a scratch directory, removed after the run.
        audio_file: the file for the audio checks; ``None`` synthesizes speech.
        model: a model replacing the defaults of the mixed-precision and multi-device checks.
    """

    backend: Any
    workdir: Path
    audio_file: str | None = None
    model: str | None = None


@dataclass
class CheckResult:
    """One row of the table."""

    name: str
    passed: bool
    latency_ms: float | None = None
    device: str = ""
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class CheckFailed(Exception):
    """A check ran but its result is wrong; the message says what."""


def ok(result: dict[str, Any], what: str) -> dict[str, Any]:
    """``result`` if the facade call succeeded, else :class:`CheckFailed` with its error."""
    if result.get("status") != "success":
        raise CheckFailed(f"{what}: {result.get('error')}")
    return result


def finite(outputs: Any) -> None:
    for out in outputs if isinstance(outputs, list) else [outputs]:
        for name, value in out.items():
            if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
                raise CheckFailed(f"output {name!r} has non-finite values")


def median_latency(backend: Any, name: str, data: Any, config: dict[str, Any] | None = None) -> float:
    times = [
        ok(backend.run_inference(name, data, config), "run_inference")["latency_ms"] for _ in range(RUNS)
    ]
    return float(np.median(times))
