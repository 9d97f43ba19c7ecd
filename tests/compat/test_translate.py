"""The legacy dict -> recipe translation, without building anything."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from ovbuild.compat import recipe_from_legacy
from ovbuild.compat._legacy import translate
from ovbuild.config import load_recipe
from ovbuild.errors import RecipeError
from tests.compat._helpers import silero


def _raw(config: dict, tmp_path: Path, available=("CPU",), **kw) -> dict:
    t = translate("m", config, store_root=tmp_path, available=list(available), **kw)
    load_recipe(raw=t.raw)  # every translation must pass the recipe schema
    return t.raw


def test_plain_config_maps_to_an_onnx_recipe(tmp_path: Path) -> None:
    raw = _raw({"device": "CPU", "model_path": silero()}, tmp_path)
    assert raw["source"] == {"kind": "onnx", "path": silero()}
    assert raw["precision"] == {"default": "fp32", "rules": []}
    assert raw["device"] == {"priorities": ["CPU"], "mode": "single"}
    assert raw["frontend"] is None and raw["calibration"] is None
    assert raw["store"]["root"] == str(tmp_path.resolve())


def test_precision_and_mixed_precision_rules(tmp_path: Path) -> None:
    raw = _raw({"model_path": silero(), "precision": "FP16"}, tmp_path)
    assert raw["precision"]["default"] == "fp16"
    config = {
        "model_path": silero(),
        "precision": "INT8",
        "mixed_precision": True,
        "mixed_precision_config": {
            "precision_config": {"attention": "FP16", "matmul": "INT8", "default": "INT8"}
        },
    }
    raw = _raw(config, tmp_path)
    assert raw["precision"] == {
        "default": "int8",
        "rules": [{"layer": "attention", "precision": "fp16"}, {"layer": "matmul", "precision": "int8"}],
    }
    # INT8 without samples: synthetic calibration, with a warning that says so
    t = translate("m", config, store_root=tmp_path)
    assert t.raw["calibration"]["kind"] == "synthetic"
    assert any("synthetic" in w for w in t.warnings)


@pytest.mark.parametrize(
    ("device", "extra", "priorities", "mode"),
    [
        ("GPU", {}, ["GPU"], "single"),
        ("AUTO:GPU,CPU", {}, ["GPU", "CPU"], "auto"),
        ("MULTI:GPU,CPU", {}, ["GPU", "CPU"], "multi"),
        ("HETERO:GPU,CPU", {}, ["GPU", "CPU"], "hetero"),
        ("AUTO", {}, ["CPU"], "auto"),
        (
            "CPU",
            {"multi_device": True, "device_priorities": ["GPU(1.5)", "CPU(1.0)"]},
            ["GPU(1.5)", "CPU(1.0)"],
            "multi",
        ),
    ],
)
def test_device_strings(tmp_path: Path, device: str, extra: dict, priorities: list, mode: str) -> None:
    raw = _raw({"model_path": silero(), "device": device, **extra}, tmp_path)
    assert raw["device"]["priorities"] == priorities
    assert raw["device"]["mode"] == mode


def test_gpu_options_and_shapes(tmp_path: Path) -> None:
    config = {
        "model_path": silero(),
        "device": "GPU",
        "gpu_fp16_enable": True,
        "gpu_optimize": "modern",
        "performance_hint": "throughput",
        "precompile_shapes": True,
        "input_shapes": {"input": [8, 576]},
    }
    t = translate("m", config, store_root=tmp_path, available=["CPU"])
    dev = t.raw["device"]
    assert dev["gpu_fp16_enable"] is True and dev["gpu_optimize"] == "modern"
    assert dev["performance_hint"] == "THROUGHPUT"
    assert dev["precompile_shapes"] is True and dev["input_shapes"] == {"input": [8, 576]}
    assert any("GPU only" in w for w in t.warnings)
    # with a GPU present there is nothing to warn about
    assert not translate("m", config, store_root=tmp_path, available=["CPU", "GPU.0"]).warnings


def test_audio_keys_make_an_audio_frontend(tmp_path: Path) -> None:
    config = {
        "model_path": silero(),
        "model_type": "audio",
        "sample_rate": 16000,
        "feature_type": "mfcc",
        "feature_size": 13,
        "n_fft": 512,
        "hop_length": 160,
        "normalize": True,
    }
    fe = _raw(config, tmp_path)["frontend"]
    assert fe == {
        "kind": "audio",
        "sample_rate": 16000,
        "features": "mfcc",
        "n_mfcc": 13,
        "n_mels": 40,
        "normalize": True,
        "n_fft": 512,
        "hop_length": 160,
    }
    # run_inference's audio keys take precedence over load_model's
    fe = _raw(config, tmp_path, run_overrides={"feature_type": "log_mel", "feature_size": 64})["frontend"]
    assert fe["features"] == "log_mel" and fe["n_mels"] == 64


def test_unknown_keys_warn_by_name(tmp_path: Path) -> None:
    t = translate("m", {"model_path": silero(), "turbo": 1, "batch": 2}, store_root=tmp_path)
    assert t.warnings == ["unknown legacy config key(s) ignored: batch, turbo"]


def test_every_type_problem_is_named_at_once(tmp_path: Path) -> None:
    bad = {
        "device": 5,
        "model_path": silero(),
        "precision": "INT3",
        "multi_device": "yes",
        "device_priorities": "GPU",
        "calibration_samples": -1,
        "input_shapes": {"input": ["a", 2]},
        "sample_rate": "16k",
    }
    with pytest.raises(RecipeError) as info:
        translate("m", bad, store_root=tmp_path)
    text = str(info.value)
    for key in (
        "device:",
        "precision: 'INT3'",
        "multi_device:",
        "device_priorities:",
        "calibration_samples:",
        "input_shapes.input:",
        "sample_rate:",
    ):
        assert key in text, text
    assert not (tmp_path / "compat").exists()


def test_model_path_problems(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="model_path: required"):
        translate("m", {"device": "CPU"}, store_root=tmp_path)
    with pytest.raises(RecipeError, match="model_path: no such file"):
        translate("m", {"model_path": str(tmp_path / "nope.onnx")}, store_root=tmp_path)
    odd = tmp_path / "model.weights"
    odd.write_bytes(b"x")
    with pytest.raises(RecipeError, match="model_format: cannot tell"):
        translate("m", {"model_path": str(odd)}, store_root=tmp_path)
    with pytest.raises(RecipeError, match="config: expected a dict"):
        translate("m", ["model_path"], store_root=tmp_path)


def test_calibration_data_becomes_a_content_addressed_npz(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    samples = [{"input": rng.standard_normal((1, 576)).astype(np.float32)} for _ in range(5)]
    config = {
        "model_path": silero(),
        "precision": "INT8",
        "calibration_data": samples,
        "calibration_samples": 3,
    }
    t = translate("m", config, store_root=tmp_path)
    cal = t.raw["calibration"]
    assert cal["kind"] == "npz" and cal["samples"] == 3
    path = Path(cal["path"])
    assert not path.exists()  # written only once the recipe is known to be valid
    t.write_pending()
    with np.load(path) as npz:
        assert npz["input"].shape == (5, 1, 576)
        np.testing.assert_array_equal(npz["input"][2], samples[2]["input"])
    again = translate("m", config, store_root=tmp_path)
    assert again.raw["calibration"]["path"] == cal["path"]  # same samples, same file
    mixed = [{"input": np.zeros((1, 576))}, {"input": np.zeros((1, 500))}]
    with pytest.raises(RecipeError, match=r"calibration_data\[1\].input: shape"):
        translate("m", {**config, "calibration_data": mixed}, store_root=tmp_path)


def test_legacy_converter_callable_is_reachable_by_reference(tmp_path: Path) -> None:
    calls = []

    def convert(path):
        calls.append(path)
        return path

    raw = _raw({"model_path": silero(), "model_format": "legacy", "legacy_converter": convert}, tmp_path)
    module, _, name = raw["source"]["converter"].partition(":")
    fn = getattr(importlib.import_module(module), name)
    assert fn() == silero() and calls == [silero()]
    # an unchanged converter keeps its reference (cache hits); another converter gets a new one
    same = _raw({"model_path": silero(), "model_format": "legacy", "legacy_converter": convert}, tmp_path)
    other = _raw({"model_path": silero(), "legacy_converter": lambda p: p + "x"}, tmp_path)
    assert same["source"]["converter"] == raw["source"]["converter"]
    assert other["source"]["kind"] == "legacy"
    assert other["source"]["converter"] != raw["source"]["converter"]
    with pytest.raises(RecipeError, match="legacy_converter: required"):
        translate("m", {"model_path": silero(), "model_format": "legacy"}, store_root=tmp_path)


def test_recipe_from_legacy_is_a_recipe_file_ovbuild_accepts(tmp_path: Path, monkeypatch) -> None:
    config = {
        "model_path": silero(),
        "precision": "FP16",
        "device": "AUTO:GPU,CPU",
        "performance_hint": "THROUGHPUT",
    }
    text = recipe_from_legacy(config, "vad_migrated", store_root=tmp_path)
    assert text.startswith("# @package _global_")
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "vad_migrated.yaml").write_text(text)
    monkeypatch.setenv("OVBUILD_RECIPES", str(recipes))
    recipe = load_recipe(["recipe=vad_migrated"])
    assert recipe["name"] == "vad_migrated"
    assert recipe["source"]["kind"] == "onnx" and recipe["source"]["path"] == silero()
    assert recipe["precision"]["default"] == "fp16"
    assert recipe["device"]["priorities"] == ["GPU", "CPU"] and recipe["device"]["mode"] == "auto"
    assert recipe["device"]["performance_hint"] == "THROUGHPUT"


def test_recipe_from_legacy_notes_what_a_file_cannot_hold(tmp_path: Path) -> None:
    text = recipe_from_legacy(
        {"model_path": silero(), "legacy_converter": lambda p: p, "shiny": True}, store_root=tmp_path
    )
    assert "# NOTE: unknown legacy config key(s) ignored: shiny" in text
    assert "replace it with 'module:function'" in text
    with pytest.raises(RecipeError, match="model_path: required"):
        recipe_from_legacy({"device": "CPU"}, store_root=tmp_path)
