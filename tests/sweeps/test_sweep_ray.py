"""A 3-variant sweep on a real local Ray cluster through ``hydra/launcher=ray``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.sweeps._sweep_checks import (
    check_png,
    check_rows_match_manifests,
    check_shared_stage_built_once,
    only_report_dir,
    read_rows,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None
    or importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None,
    reason="ray / hydra-ray-launcher not installed (pip install -e '.[dist]')",
)


@pytest.fixture
def ray_head():
    from tests.sweeps._ray_cluster import RayHead

    head = RayHead(num_cpus=2)
    head.start()
    try:
        yield head
    finally:
        head.stop()  # only this cluster's processes, by their session


@pytest.mark.slow
def test_ray_sweep_on_a_local_cluster(ray_head, store: Path):
    proc = run_cli(
        "build",
        "-m",
        "recipe=silero_vad",
        "precision=fp16",
        "device=cpu,cpu_throughput,gpu_first",
        "validate=cosine",
        f"store.root={store}",
        "hydra/launcher=ray",
        f"hydra.launcher.ray.init.address={ray_head.address}",
        "hydra.callbacks.ovbuild_sweep.bench_seconds=0.3",
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "Connected to Ray cluster" in proc.stderr  # the existing cluster, not a private one
    rows = read_rows(only_report_dir(store))
    assert set(rows) == {"device=cpu", "device=cpu_throughput", "device=gpu_first"}
    assert all(r["status"] == "success" for r in rows.values())
    manifests = check_rows_match_manifests(rows)
    assert len({m["stage_keys"]["precompile"] for m in manifests}) == 3  # three real artifacts
    check_shared_stage_built_once(store, manifests)
    check_png(only_report_dir(store) / "pareto.png")
