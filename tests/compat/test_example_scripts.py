"""The legacy examples run as scripts, exactly as a user runs them (``python examples/legacy/X.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compat._helpers import EXAMPLES, REPO


@pytest.mark.parametrize("script", ["basic_load", "legacy_logger", "multi_device", "gpu_options"])
def test_example_runs_verbatim_as_a_script(script: str, shared_store: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{script}.py"), "--store", str(shared_store)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if script in ("basic_load", "gpu_options"):  # the first call's latency beside later calls'
        assert "first call" in done.stdout and "steady state" in done.stdout, done.stdout
