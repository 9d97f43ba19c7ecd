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
    recipe = recipe_for(*tiny_overrides(tiny_bert, "precision=int8", *SCHEME, "validate=nn_agreement",
                                        "validate.min=0.0"), root=root)  # fmt: skip
    results["int8_scheme"] = build(recipe)
    return root, results


#: Every scheme key away from NNCF's defaults (what ``auto`` searches and a recipe can pin).
SCHEME = ("precision.preset=mixed", "precision.range_estimator=mean_quantile",
          "precision.bias_correction=false", "precision.smooth_quant_alpha=0.5")  # fmt: skip


@pytest.mark.slow
def test_calibration_statistics_are_built_once_per_model_and_dataset(int8_sweep) -> None:
    root, results = int8_sweep
    builds = StageCache(root).builds()
    assert [b["stage"] for b in builds].count("calibrate") == 1
    assert [b["stage"] for b in builds].count("compress") == 4
    assert len({r.key for r in results.values()}) == 4


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
def test_a_pinned_scheme_reaches_nncf_and_the_manifest(int8_sweep) -> None:
    import numpy as np
    import openvino as ov

    schemed, plain = int8_sweep[1]["int8_scheme"], int8_sweep[1]["int8"]
    assert schemed.manifest.stages["compress"]["map"] == {
        "default": "int8", "rules": [], "preset": "mixed", "range_estimator": "mean_quantile",
        "bias_correction": False, "smooth_quant_alpha": 0.5,
    }  # fmt: skip

    def ranges(result) -> dict[str, tuple[float, ...]]:
        """Each activation FakeQuantize's input range (its weights' ranges are NNCF's defaults)."""
        model = ov.Core().read_model(str(result.path / result.manifest.model))
        out = {}
        for node in model.get_ordered_ops():
            if node.get_type_name() == "FakeQuantize":
                low, high = (node.input_value(i).get_node() for i in (1, 2))
                if low.get_type_name() == "Constant" and low.get_output_size() == 1:
                    out[node.get_friendly_name()] = (float(np.min(low.data)), float(np.max(high.data)))
        return out

    plain_ranges, schemed_ranges = ranges(plain), ranges(schemed)
    shared = set(plain_ranges) & set(schemed_ranges)
    assert shared and any(plain_ranges[n] != schemed_ranges[n] for n in shared)
    # mixed: asymmetric activations, so some activation ranges no longer sit symmetric around zero
    assert any(lo < 0 and abs(lo + hi) > 1e-3 * (hi - lo) for lo, hi in schemed_ranges.values())


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


@pytest.mark.slow
def test_auto_tries_the_schemes_when_full_int8_misses_before_keeping_layers_float(
    tiny_bert: Path, tmp_path: Path
) -> None:
    recipe = recipe_for(
        *tiny_overrides(tiny_bert, "precision=auto", "precision.accuracy.metric=cosine",
                        "precision.accuracy.max_drop=0.00001", "precision.accuracy.samples=30",
                        "precision.accuracy.measure_latency=false"),
        root=tmp_path,
    )  # fmt: skip
    compress = build(recipe).manifest.stages["compress"]
    search = compress["search"]
    assert search["trials"][2]["candidate"] == "int8" and search["trials"][2]["drop"] > 0.00001
    # the recipe's own scheme first, then each knob's values (a transformer: SmoothQuant strengths too)
    tried = [label for label, _ in search["schemes"]["tried"]]
    assert tried[0] == "int8" and len(tried) == 7 and any("smooth_quant_alpha" in t for t in tried), tried
    chosen = search["schemes"]["chosen"]
    # then layers kept float, on top of the winning scheme; the published map carries that scheme
    assert search["surgery"] and compress["map"]["default"] in ("int8", "fp32")
    if compress["map"]["default"] == "int8":
        assert {k: compress["map"][k] for k in chosen} == chosen
        assert search["trials"][-1]["drop"] <= 0.00001
