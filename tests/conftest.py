"""Shared fixtures: real recipes composed with Hydra, built into temporary stores."""

from __future__ import annotations

import faulthandler
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
#: Seconds past pytest-timeout's own limit after which the process is ended from C.
WATCHDOG_GRACE = 60


def _real_stderr(config: pytest.Config) -> int | object:
    """The terminal's stderr: fd 2 points at pytest's capture file while a test runs, and the
    watchdog's stacks must reach the CI log. (The saved fd is a private attribute of pytest's
    capture manager; without it, ``sys.__stderr__``.)"""
    capman = config.pluginmanager.getplugin("capturemanager")
    saved = getattr(getattr(getattr(capman, "_global_capturing", None), "err", None), "targetfd_save", None)
    return saved if isinstance(saved, int) else sys.__stderr__


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """A watchdog for hangs that pytest-timeout cannot end.

    pytest-timeout's timer is a Python thread: when the main thread hangs inside native code with
    the GIL held (an OpenVINO destructor joining a stream thread that waits for the GIL), the timer
    never runs. faulthandler's watchdog is a C thread: it prints every thread's stack and exits.
    """
    marker = item.get_closest_marker("timeout")
    limit = float(marker.args[0]) if marker and marker.args else float(item.config.getini("timeout") or 600)
    faulthandler.dump_traceback_later(limit + WATCHDOG_GRACE, exit=True, file=_real_stderr(item.config))
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def recipe_for(*overrides: str, root: Path | None = None) -> dict:
    """A validated recipe from Hydra overrides, with its store pointed at ``root``."""
    from ovbuild.config import load_recipe

    extra = [f"store.root={root}"] if root is not None else []
    return load_recipe([*overrides, *extra])


@pytest.fixture(scope="session")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the whole session, so expensive conversions are built once and reused."""
    return tmp_path_factory.mktemp("store")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A fresh, empty store for tests that count what gets built."""
    return tmp_path / "store"


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run ``ovbuild`` in a subprocess, as a user would; returns the CompletedProcess."""
    import subprocess
    import sys

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ovbuild.cli.main", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory, shared_store: Path):
    """``tiny_lm(kind, *overrides)``: an artifact built from a tiny random-weight gpt2 / llama / t5
    (see tests/_tiny_lm.py), at f32 so greedy choices compare exactly with transformers. Model
    directories and builds are shared by the whole session."""
    from ovbuild import build
    from tests._tiny_lm import build_tiny_lm

    dirs: dict[str, Path] = {}

    def make(kind: str, *overrides: str):
        if kind not in dirs:
            dirs[kind] = build_tiny_lm(kind, tmp_path_factory.mktemp(f"tiny_{kind}"))
        recipe = recipe_for(
            f"name=tiny_{kind}",
            "source=hf",
            f"source.path={dirs[kind]}",
            "device.inference_precision=f32",
            *overrides,
            root=shared_store,
        )
        return build(recipe)

    make.dirs = dirs
    return make
