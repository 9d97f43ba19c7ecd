"""The ``nncf.quantize`` arguments a precision map's scheme keys stand for: model type, preset,
activation range estimator, SmoothQuant alpha and bias correction (what ``auto`` searches over
and a recipe can pin)."""

from __future__ import annotations

from typing import Any

from ovbuild.precision.layers import has_attention

#: The precision keys that choose how INT8 is computed, beside which layers are INT8.
SCHEME_KEYS = ("preset", "range_estimator", "smooth_quant_alpha", "bias_correction")


def model_type_for(node_map: Any, configured: str | None) -> str | None:
    """``configured``, else ``transformer`` when the graph has attention."""
    if configured:
        return configured
    return "transformer" if has_attention(node_map.classes) else None


def quantize_settings(node_map: Any, cfg: dict[str, Any], subset_size: int) -> dict[str, Any]:
    """Every ``nncf.quantize`` argument but the dataset and the ignored scope."""
    import nncf

    kwargs: dict[str, Any] = {"subset_size": subset_size}
    model_type = model_type_for(node_map, cfg.get("model_type"))
    if model_type:
        kwargs["model_type"] = nncf.ModelType(model_type.lower())
    if cfg.get("preset"):
        kwargs["preset"] = nncf.QuantizationPreset(plain_value(cfg["preset"]).lower())
    advanced = _advanced_settings(cfg)
    if advanced:
        from nncf.quantization.advanced_parameters import AdvancedQuantizationParameters

        kwargs["advanced_parameters"] = AdvancedQuantizationParameters(**advanced)
    return kwargs


def _advanced_settings(cfg: dict[str, Any]) -> dict[str, Any]:
    """The map's scheme keys as ``AdvancedQuantizationParameters`` fields (none: NNCF's defaults)."""
    advanced: dict[str, Any] = {}
    if cfg.get("smooth_quant_alpha") is not None:
        from nncf.quantization.advanced_parameters import AdvancedSmoothQuantParameters

        advanced["smooth_quant_alphas"] = AdvancedSmoothQuantParameters(matmul=cfg["smooth_quant_alpha"])
    if cfg.get("range_estimator"):
        from nncf.quantization.range_estimator import RangeEstimatorParametersSet

        name = plain_value(cfg["range_estimator"]).upper()
        advanced["activations_range_estimator_params"] = getattr(RangeEstimatorParametersSet, name)
    if cfg.get("bias_correction") is False:
        advanced["disable_bias_correction"] = True
    return advanced


def plain_value(choice: Any) -> Any:
    """The value of an enum member of the recipe schema, or the value itself (maps written by
    ``auto`` hold plain strings, booleans and numbers)."""
    return getattr(choice, "value", choice)
