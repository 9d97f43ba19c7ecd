"""Builds of one recipe are told apart: variant in the manifest, in ``ls``, and ``NAME@VARIANT``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_variants_are_distinguishable(shared_store: Path) -> None:
    for precision in ("fp32", "fp16"):
        done = run_cli("build", "recipe=silero_vad", f"precision={precision}", "--store", str(shared_store))
        assert done.returncode == 0, done.stderr
        assert f"variant {precision} (silero_vad@{precision})" in done.stdout
    listing = run_cli("ls", "--store", str(shared_store))
    rows = [line.split() for line in listing.stdout.splitlines() if line.startswith("silero_vad ")]
    assert {"fp32", "fp16"} <= {row[2] for row in rows}, listing.stdout
    # what the device really runs: the shares of the compute layers' precisions, from the manifest
    from ovbuild.cli.ls import runtime_mix

    manifest = json.loads(
        (shared_store / "artifacts" / "silero_vad" / "latest" / "manifest.json").read_text()
    )
    mix = runtime_mix(manifest["blobs"]["CPU"])
    assert "%" in mix and f"CPU: {mix}" in listing.stdout, listing.stdout
    for precision in ("fp32", "fp16"):
        shown = run_cli("show", f"silero_vad@{precision}", "--store", str(shared_store))
        assert shown.returncode == 0, shown.stderr
        assert f"precision {precision};" in shown.stdout and f"variant {precision}" in shown.stdout
        expected = (
            'precision.default="fp16"' if precision == "fp16" else "overrides vs recipe 'silero_vad': none"
        )
        assert expected in shown.stdout, shown.stdout
    missing = run_cli("show", "silero_vad@int4", "--store", str(shared_store))
    assert (
        missing.returncode == 2 and "variants of 'silero_vad'" in missing.stderr and "fp16" in missing.stderr
    )


def test_build_summary_says_fp32_runs_as_bf16(shared_store: Path) -> None:
    done = run_cli("build", "recipe=silero_vad", "--store", str(shared_store))
    assert done.returncode == 0, done.stderr
    import openvino as ov

    runs = ov.Core().get_property("CPU", "INFERENCE_PRECISION_HINT").get_type_name()
    assert f"CPU: runs in {runs}" in done.stdout
    if runs == "bf16":
        assert "precision=fp32 executes as bf16" in done.stdout
        assert "device.inference_precision=f32" in done.stdout
    pinned = run_cli(
        "build", "recipe=silero_vad", "device.inference_precision=f32", "--store", str(shared_store)
    )
    assert "CPU: runs in f32" in pinned.stdout and "executes as" not in pinned.stdout, pinned.stderr


def test_manifest_values_are_plain_strings_and_numbers(shared_store: Path) -> None:
    run_cli("build", "recipe=silero_vad", "--store", str(shared_store))
    text = (shared_store / "artifacts" / "silero_vad" / "latest" / "manifest.json").read_text()
    assert "<Type" not in text and "<" not in json.dumps(json.loads(text)["blobs"])
