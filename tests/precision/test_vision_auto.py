"""Real vision models where plain INT8 misses its accuracy bound and `auto` finds a map."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from ovbuild import StageError, build
from tests.conftest import recipe_for


@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="mediapipe not installed")
def test_int8_misses_the_bound_and_auto_repairs_it(shared_store: Path) -> None:
    with pytest.raises(
        StageError, match=r"validate.min: measured cosine\[\w+\] 0\.9\d+ is below the minimum 0.99"
    ):
        build(recipe_for("recipe=mediapipe_face_detection_int8", root=shared_store))
    assert not (shared_store / "artifacts" / "mediapipe_face_detection_int8").exists()
    repaired = build(recipe_for("recipe=mediapipe_face_detection_auto", root=shared_store))
    accuracy = repaired.manifest.metrics["accuracy"]
    gated = {k: v for k, v in accuracy.items() if k.startswith("cosine[") and k.endswith("]")}
    assert gated and all(v >= 0.99 for v in gated.values())
    assert all(accuracy[f"{k}.worst"] >= 0.95 for k in gated)  # the derived worst-sample bound
    compress = repaired.manifest.stages["compress"]
    # full INT8 missed, so presets, range estimators and bias correction were tried before surgery
    schemes = compress["search"]["schemes"]
    assert [label for label, _ in schemes["tried"]][0] == "int8" and len(schemes["tried"]) == 5
    assert all(compress["map"].get(k) == v for k, v in schemes["chosen"].items()) or (
        compress["map"]["default"] == "fp32"
    )
    # A mixed map, or FP32 with auto saying plainly that no passing map beats it on this device.
    assert compress["map"]["default"] == "int8" or compress["search"]["chosen"].startswith("fp32")


@pytest.mark.timeout(1200)
@pytest.mark.skipif(importlib.util.find_spec("nudenet") is None, reason="nudenet not installed")
def test_detector_int8_fails_the_detection_gate_and_auto_searches_mixed_maps(shared_store: Path) -> None:
    with pytest.raises(StageError, match=r"validate.min: measured detection 0\.\d+ is below the minimum 0.9"):
        build(recipe_for("recipe=nudenet_detector_int8", root=shared_store))
    # Latency decides between passing maps in a real build (benchmarks/bench_accuracy.py); here the
    # fewest float layers win, so the test checks the search itself on a loaded CI machine. The
    # scheme phase is left out for CI time: it is tested on mediapipe (above) and tiny BERT
    # (tests/stages/test_compress.py). A coarser ranking (3 samples instead of 12) was tried for
    # time too: its map passed confirmation but missed the held-out gate (0.842 < 0.9).
    overrides = (
        "precision.accuracy.measure_latency=false",
        "precision.accuracy.confirm=2",
        "precision.accuracy.schemes=false",
    )
    result = build(recipe_for("recipe=nudenet_detector_auto", *overrides, root=shared_store))
    compress = result.manifest.stages["compress"]
    assert compress["search"]["checks"] == ["detection"]
    assert result.manifest.metrics["accuracy"]["detection"] >= 0.9  # held-out photos
    surgery = {int(k): v for k, v in compress["search"]["surgery"].items()}
    int8_drop = compress["search"]["trials"][2]["drop"]
    assert surgery[max(surgery)] < int8_drop  # restoring layers wins accuracy back
    if compress["map"]["default"] == "int8":  # a confirmed mixed map, in readable rules
        # Names are escaped regexes of the source's layer names. The embedded front-end's ops have no
        # source name: its layout Transpose is named as OpenVINO names it, and the ops right after
        # the input are addressed by op type after ``images``.
        rules = compress["map"]["rules"]
        named = [re.sub(r"\\(.)", r"\1", r["name"]) for r in rules if "name" in r]
        assert named and all(m.startswith("^/model.") or re.fullmatch(r"\^Transpose_\d+\$", m) for m in named)
        assert all(r["after"] == "^images$" and r.get("op_type") for r in rules if "name" not in r)
    else:  # no re-quantized map confirmed the estimate: auto says so and publishes FP32
        assert compress["search"]["chosen"].startswith("fp32")
