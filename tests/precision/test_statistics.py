"""Static-INT8 calibration statistics are collected once per (model, calibration samples,
settings) and shared by every precision map, and sharing changes no bit of the result.

A real (tiny, random-weight) BERT with MiniLM's tokenizer in the graph, calibrated on real
sentences, through NNCF's transformer pipeline (SmoothQuant, then MinMax + fast bias correction).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from ovbuild import build
from ovbuild.calibration.store import CALIBRATION_FILE, load_samples
from ovbuild.precision.compile_map import quantize_int8, resolve
from ovbuild.precision.statistics import StatisticsScope
from ovbuild.store import StageCache
from ovbuild.store.gc import collect
from ovbuild.store.statistics import collections, statistics_dirs
from tests.conftest import recipe_for, run_cli

sys.path.insert(0, str(Path(__file__).parents[1] / "stages"))
from _tiny_bert import make_tiny_bert, tiny_overrides  # noqa: E402

SAMPLES = "calibration.samples=48"
#: A map that keeps the attention and the first FFN of layer 0 out of INT8 (other points, fewer).
MIXED = {"default": "int8", "rules": [{"layer": "attention", "precision": "fp16"},
                                       {"name": "layer.0.intermediate", "precision": "fp16"}]}  # fmt: skip


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_bert(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def int8_store(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A store after one static-INT8 build: the statistics are there."""
    root = tmp_path_factory.mktemp("stats") / "store"
    return root, build(recipe_for(*tiny_overrides(tiny_bert, "precision=int8", SAMPLES), root=root))


def _calibrated(root: Path, result) -> tuple[object, list, StatisticsScope]:
    """The model compress quantized, its samples, and the statistics scope that build used."""
    import openvino as ov
    import openvino_tokenizers  # noqa: F401  (the tokenizer ops of the graph)

    key = result.manifest.stage_keys["calibrate"]
    entry = StageCache(root).lookup("calibrate", key)
    model = ov.Core().read_model(str(entry.file("model.xml")))
    return model, load_samples(entry.file(CALIBRATION_FILE)), StatisticsScope(root, key)


def _ir(model, where: Path) -> tuple[bytes, str]:
    """Weights and graph of a saved model; NNCF's generated node names (global counters) aside."""
    import openvino as ov

    ov.save_model(model, where / "m.xml", compress_to_fp16=False)
    xml = re.sub(r'name="(\w+?)_\d+"', r'name="\1_N"', (where / "m.xml").read_text())
    return (where / "m.bin").read_bytes(), xml


def test_a_second_map_collects_nothing_and_equals_plain_nncf_quantize(int8_store, tmp_path: Path) -> None:
    root, result = int8_store
    assert result.manifest.stages["compress"]["nncf_quantize"]["statistics"]["collected"] > 0
    passes = collections(root)
    assert [p["step"][:5] for p in passes] == ["step0", "step1"]  # SmoothQuant, then MinMax + bias

    model, samples, scope = _calibrated(root, result)
    node_map = resolve(model, "int8", MIXED["rules"])
    assert all(node_map.rule_hits)
    shared, counts = quantize_int8(model.clone(), node_map, samples, {"default": "int8"}, scope)
    assert counts["collected"] == 0 and counts["reused"] > 0
    assert collections(root) == passes  # no calibration inference at all
    plain, none = quantize_int8(model.clone(), node_map, samples, {"default": "int8"})
    assert none == {"collected": None, "reused": None}
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    assert _ir(shared, tmp_path / "a") == _ir(plain, tmp_path / "b")


def test_a_mixed_map_built_first_collects_for_the_full_map_too(int8_store, tmp_path: Path) -> None:
    """In a parallel sweep a mixed map may come first; the full INT8 map must not collect again."""
    root, result = int8_store
    model, samples, _ = _calibrated(root, result)
    scope = StatisticsScope(tmp_path, "fresh-model-key")
    mixed = resolve(model, "int8", MIXED["rules"])
    _, first = quantize_int8(model.clone(), mixed, samples, {"default": "int8"}, scope)
    assert first["reused"] == 0
    _, full = quantize_int8(model.clone(), resolve(model, "int8", []), samples, {"default": "int8"}, scope)
    assert full["collected"] == 0 and full["reused"] > 0
    assert [p["step"][:5] for p in collections(tmp_path)] == ["step0", "step1"]


def test_other_settings_or_samples_collect_their_own(int8_store) -> None:
    root, result = int8_store
    model, samples, scope = _calibrated(root, result)
    node_map = resolve(model, "int8", [])
    before = len(collections(root))
    _, counts = quantize_int8(model.clone(), node_map, samples[:-1], {"default": "int8"}, scope)
    assert counts["reused"] == 0 and counts["collected"] > 0
    _, counts = quantize_int8(
        model.clone(), node_map, samples, {"default": "int8", "preset": "performance"}, scope
    )
    assert counts["collected"] > 0
    assert len(collections(root)) == before + 4


def test_an_auto_search_and_a_sweep_variant_reuse_the_int8_statistics(tiny_bert: Path, int8_store) -> None:
    root, _ = int8_store
    before = len(collections(root))
    overrides = ("precision=auto", "precision.accuracy.max_drop=0.00005", "precision.accuracy.samples=30",
                 "precision.accuracy.measure_latency=false")  # fmt: skip
    auto = build(recipe_for(*tiny_overrides(tiny_bert, *overrides, SAMPLES), root=root))
    compress = auto.manifest.stages["compress"]
    assert "int8" in [t["candidate"] for t in compress["search"]["trials"]]
    # Its INT8 trial and its final build (the map the trial chose) ran no calibration inference.
    assert collections(root)[before:] == []
    assert compress["map"]["default"] == "int8"
    assert compress["nncf_quantize"]["statistics"]["collected"] == 0


def test_statistics_survive_a_kill_and_are_shared_across_processes(tiny_bert: Path, tmp_path: Path) -> None:
    """A kill while a pack is written leaves nothing a reader trusts; another process (a joblib or
    Ray job) then reuses what this one collected; ``gc`` keeps them while their model entry lives."""
    root = tmp_path / "store"
    args = [*tiny_overrides(tiny_bert, "precision=int8", SAMPLES), f"store.root={root}"]
    killed = run_cli("build", *args, env={"OVBUILD_CRASH_AT": "statistics.dumped"})
    assert killed.returncode == 137, killed.stderr[-2000:]
    assert collections(root) == []
    assert [p.name for p in root.glob("statistics/??/*/*/pack-*")] == []
    again = build(recipe_for(*args[:-1], root=root))
    assert again.manifest.stages["compress"]["nncf_quantize"]["statistics"]["collected"] > 0
    passes = collections(root)
    # Another compress key (a runtime option), the same model, samples and NNCF settings.
    variant = ("precision=int8", "name=other", "precision.dynamic_quantization_group_size=64", SAMPLES)
    other = run_cli("build", *tiny_overrides(tiny_bert, *variant), f"store.root={root}")
    assert other.returncode == 0, other.stderr[-2000:]
    assert collections(root) == passes  # the other process collected nothing
    collect(root, grace=0)
    assert list(root.glob("statistics/**/.tmp-*")) == []
    assert len(statistics_dirs(root)) == 1  # still used by the model entry the version keeps
