"""Weight compression of generative artifacts from the precision map: INT8/INT4 weights on every
sub-model, NNCF's data-aware options fed by calibration prompts, the token-agreement gate against
the FP32 artifact, and errors that name the recipe key."""

from __future__ import annotations

import pytest

from ovbuild.errors import RecipeError, StageError
from ovbuild.runtime import import_loader
from tests._tiny_lm import PROMPTS

pytestmark = pytest.mark.slow
GATE = ("calibration=sentences", "validate=tokens", "validate.samples=10", "validate.new_tokens=16")


def _weight_types(path) -> set[str]:
    import openvino as ov

    model = ov.Core().read_model(str(path))
    return {
        op.get_element_type().get_type_name() for op in model.get_ops() if op.get_type_name() == "Constant"
    }


def test_int8_weights_pass_the_token_gate_and_shrink_the_llm(tiny_lm) -> None:
    fp32 = tiny_lm("llama")
    int8 = tiny_lm("llama", "precision=int8_weights", *GATE, "validate.min=0.85")
    gate = int8.manifest.stages["validate"]
    print(f"llama int8_weights: {gate['metrics']} on {gate['samples']} held-out prompts")
    assert gate["metric"] == "token_agreement" and gate["value"] >= 0.85
    summary = int8.manifest.stages["compress"]["models"]["model.xml"]
    assert set(summary["weighted_layers"]) == {"int8_weights"}
    assert {"u8"} <= _weight_types(int8.path / "model.xml")
    fp32_size, int8_size = ((a.path / "model.bin").stat().st_size for a in (fp32, int8))
    print(f"model.bin fp32 {fp32_size} B, int8_weights {int8_size} B")
    assert int8_size < 0.4 * fp32_size
    text = import_loader(int8.path).load().generate(PROMPTS[0], max_new_tokens=8)
    assert isinstance(text, str)


def test_int4_weights_compress_encoder_and_stateful_decoder(tiny_lm) -> None:
    t5 = tiny_lm("t5", "precision=int4_weights", "precision.group_size=32", *GATE, "validate.min=0.0")
    models = t5.manifest.stages["compress"]["models"]
    assert set(models) == {"model.xml", "decoder_model.xml"}
    for file in models:
        assert {"u4", "u8"} <= _weight_types(t5.path / file), file  # INT4 body, INT8 first/last layers
    gate = t5.manifest.stages["validate"]["metrics"]
    print(f"t5 int4_weights g32: {gate}")
    assert 0.0 <= gate["token_agreement"] <= 1.0


def test_data_aware_int4_uses_calibration_prompts(tiny_lm) -> None:
    overrides = ("precision=int4_weights", "precision.group_size=32", "precision.awq=true")
    artifact = tiny_lm("llama", *overrides, "precision.scale_estimation=true", "precision.ratio=0.8", *GATE,
                       "validate.min=0.0")  # fmt: skip
    assert artifact.manifest.stages["calibrate"]["calibration_samples"] > 100
    summary = artifact.manifest.stages["compress"]["models"]["model.xml"]
    assert summary["data_aware"] is True
    print(f"llama int4 g32 awq+se r0.8: {artifact.manifest.stages['validate']['metrics']}")


def test_gate_failure_publishes_nothing(tiny_lm) -> None:
    before = len(list((tiny_lm("gpt2").path.parent).iterdir()))
    with pytest.raises(
        StageError, match=r"validate.min: measured token_agreement 0\.\d+ is below the minimum 0.999"
    ):
        tiny_lm("gpt2", "precision=int4_weights", "precision.group_size=32", *GATE, "validate.min=0.999")
    assert len(list((tiny_lm("gpt2").path.parent).iterdir())) == before


def test_group_size_that_does_not_divide_names_the_key(tiny_lm) -> None:
    with pytest.raises(
        RecipeError, match=r"^precision.group_size: 48 does not divide the input channels \(64"
    ):
        tiny_lm("gpt2", "precision=int4_weights", "precision.group_size=48")


BAD_OPTIONS = [
    (
        ("precision=int4_weights", "precision.awq=true"),
        "precision.awq: data-aware compression needs calibration",
    ),
    (
        ("precision=int8_weights", "precision.gptq=true", "calibration=sentences"),
        "precision.gptq: NNCF applies",
    ),
    (("precision=int4_weights", "precision.group_size_fallback=fix"), "precision.group_size_fallback: 'fix'"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_OPTIONS)
def test_bad_weight_options_fail_at_recipe_load(overrides: tuple[str, ...], message: str) -> None:
    from tests.conftest import recipe_for

    with pytest.raises(RecipeError, match=message):
        recipe_for("name=x", "source=hf", "source.path=/nonexistent", *overrides)
