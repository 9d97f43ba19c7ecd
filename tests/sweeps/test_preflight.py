"""Overrides checked before Hydra launches a sweep: a bad value fails its variants only."""

from __future__ import annotations

import pytest

from ovbuild.errors import RecipeError
from ovbuild.sweeps.preflight import split_sweep


def test_unknown_precision_in_the_middle_is_taken_out_and_reported():
    checked = split_sweep(
        [
            "-m",
            "recipe=silero_vad",
            "precision=fp32,nope,fp16",
            "device=cpu,cpu_throughput",
            "hydra/launcher=joblib",
        ]
    )
    assert checked.argv == [
        "-m",
        "recipe=silero_vad",
        "precision=fp32,fp16",
        "device=cpu,cpu_throughput",
        "hydra/launcher=joblib",
    ]
    assert [r["overrides"] for r in checked.rejected] == [
        ["recipe=silero_vad", "precision=nope", "device=cpu"],
        ["recipe=silero_vad", "precision=nope", "device=cpu_throughput"],
    ]
    reason = checked.rejected[0]["error"]
    assert "precision=nope" in reason and "fp16" in reason  # names the key and the valid choices


def test_a_clean_sweep_passes_through_unchanged():
    argv = ["-m", "recipe=silero_vad", "precision=fp32,fp16", "store.root=/tmp/x"]
    checked = split_sweep(argv)
    assert checked.argv == argv and checked.rejected == []


def test_nothing_left_to_launch_is_one_clear_error():
    with pytest.raises(RecipeError, match="precision=nope"):
        split_sweep(["-m", "recipe=silero_vad", "precision=nope,nada"])
    with pytest.raises(RecipeError, match="nope_recipe"):
        split_sweep(["-m", "recipe=nope_recipe", "precision=fp32,fp16"])
