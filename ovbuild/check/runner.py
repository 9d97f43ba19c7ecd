"""Runs checks into a PASS/FAIL table; a failing check never stops the others."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ovbuild.check.checks import CHECKS
from ovbuild.check.env import CheckEnv, CheckResult


def run_checks(
    names: list[str],
    *,
    store_root: str | Path = "outputs",
    audio_file: str | None = None,
    model: str | None = None,
    logger: Any = None,
) -> list[CheckResult]:
    """Run the named checks (keys of :data:`~ovbuild.check.checks.CHECKS`), in order.

    Args:
        names: which checks.
        store_root: the ovbuild store the artifacts are built into (reused across runs).
        audio_file: the file for the audio checks; speech is synthesized when omitted.
        model: a model for the mixed-precision and multi-device checks instead of the defaults.
        logger: a legacy logger given to the facade.

    Returns:
        One :class:`CheckResult` per check.
    """
    from ovbuild.compat import OpenVINOBackend

    options: dict[str, Any] = {"store_root": str(store_root)}
    if logger is not None:
        options["logger"] = logger
    backend = OpenVINOBackend(options)
    results = []
    with tempfile.TemporaryDirectory(prefix="ovbuild_check_") as tmp:
        env = CheckEnv(backend=backend, workdir=Path(tmp), audio_file=audio_file, model=model)
        for name in names:
            started = time.perf_counter()
            try:
                row = CHECKS[name](env)
            except Exception as exc:  # a self-test reports every failure in its table
                row = CheckResult(name.replace("_", " "), False, detail=f"{type(exc).__name__}: {exc}")
            row.seconds = time.perf_counter() - started
            results.append(row)
    return results


def format_table(results: list[CheckResult]) -> str:
    """The PASS/FAIL table."""
    lines = [f"{'check':42s} {'result':6s} {'latency ms':>10s} {'wall s':>7s}  {'device':10s} detail"]
    for r in results:
        latency = f"{r.latency_ms:10.2f}" if r.latency_ms is not None else f"{'-':>10s}"
        status = "PASS" if r.passed else "FAIL"
        lines.append(f"{r.name:42s} {status:6s} {latency} {r.seconds:7.1f}  {r.device:10s} {r.detail}")
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)
