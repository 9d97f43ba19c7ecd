"""The compress stage end to end: precision presets on a real (tiny) BERT with an in-graph tokenizer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ovbuild import build, load_recipe
from ovbuild.store import StageCache

sys.path.insert(0, str(Path(__file__).parent))
from _tiny_bert import make_tiny_bert, tiny_overrides  # noqa: E402


def recipe_for(*overrides: str, root: Path) -> dict:
    return load_recipe([*overrides, f"store.root={root}"])


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_bert(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def int8_sweep(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory):
    """int8 then int8_attn_fp16 then int8_weights into one store: calibration is shared."""
    root = tmp_path_factory.mktemp("store")
    results = {}
    for preset in ("int8", "int8_attn_fp16", "int8_weights"):
        recipe = recipe_for(*tiny_overrides(tiny_bert, f"precision={preset}", "validate=nn_agreement",
                                            "validate.min=0.0"), root=root)  # fmt: skip
        results[preset] = build(recipe)
    return root, results


@pytest.mark.slow
def test_calibration_statistics_are_built_once_per_model_and_dataset(int8_sweep) -> None:
    root, results = int8_sweep
    builds = StageCache(root).builds()
    assert [b["stage"] for b in builds].count("calibrate") == 1
    assert [b["stage"] for b in builds].count("compress") == 3
    assert len({r.key for r in results.values()}) == 3


@pytest.mark.slow
def test_int8_runs_int8_kernels_read_back_from_the_runtime_graph(int8_sweep) -> None:
    manifest = int8_sweep[1]["int8"].manifest
    runtime = manifest.stages["precompile"]["blobs"]["CPU"]["runtime_precisions"]
    assert any("i8" in precisions or "u8" in precisions for layer, precisions in runtime.items()
               if layer in ("FullyConnected", "MatMul"))  # fmt: skip
    compress = manifest.stages["compress"]
    assert compress["map"] == {"default": "int8", "rules": []}
    assert "nncf_quantize" in compress


@pytest.mark.slow
def test_attention_rule_keeps_attention_out_of_int8(int8_sweep) -> None:
    compress = int8_sweep[1]["int8_attn_fp16"].manifest.stages["compress"]
    assert compress["map"]["rules"] == [
        {"layer": "attention", "precision": "fp16", "op_type": None, "name": None, "after": None}
    ]
    assert compress["nncf_quantize"]["ignored"] > int8_sweep[1]["int8"].manifest.stages["compress"][
        "nncf_quantize"]["ignored"]  # fmt: skip


@pytest.mark.slow
def test_weight_only_sets_runtime_dynamic_quantization(int8_sweep) -> None:
    compress = int8_sweep[1]["int8_weights"].manifest.stages["compress"]
    assert compress["compile_properties"] == {"DYNAMIC_QUANTIZATION_GROUP_SIZE": "32"}
    assert compress["nncf_compress_weights"] == ["int8_weights"]


@pytest.mark.slow
def test_auto_returns_a_map_within_budget_and_records_it(tiny_bert: Path, tmp_path: Path) -> None:
    recipe = recipe_for(
        *tiny_overrides(tiny_bert, "precision=auto", "precision.accuracy.metric=cosine",
                        "precision.accuracy.max_drop=0.00005", "precision.accuracy.samples=30"),
        root=tmp_path,
    )  # fmt: skip
    compress = build(recipe).manifest.stages["compress"]
    search = compress["search"]
    assert search["metric"] == "cosine" and search["max_drop"] == 0.00005
    assert search["trials"][-1]["drop"] <= 0.00005
    # the floor, then the float artifact as users run it (the bar a map must beat), then full INT8
    assert [t["candidate"] for t in search["trials"][:3]] == [
        "fp32 at f32",
        f"fp32 as load() runs it ({search['device_float']})",
        "int8",
    ]
    assert compress["map"]["default"] in ("int8", "int8_weights", "fp16", "fp32")
    # a transformer: ranked by roles and sublayers; sentences timed alone and in one batch
    assert all(n.startswith(("role ", "sublayer ")) for n, _ in search.get("sensitivity", []))
    assert all(set(t) == {"b1", "b20"} for t in search.get("timing", {}).values())
    # the search ran on two thirds of the samples and confirmed on the third it never saw
    assert search["samples"] == {"search": 20, "confirmation": 10}
