"""Weight compression of generative artifacts: every sub-model IR (the decoder-only LM, or the
encoder and the stateful decoder), with the data-aware NNCF options fed by calibration prompts.

Static INT8 (``int8``) quantizes activations from statistics of single forward passes, which a
KV-cache decoder does not see as it runs; generative models take weight-only precisions.
Layers kept out of INT4 by default are the first and last (embeddings, LM head), as NNCF does
for LLMs, unless ``precision.all_layers`` is true.
"""

from __future__ import annotations

from typing import Any

from ovbuild.errors import RecipeError
from ovbuild.stages.base import StageContext
from ovbuild.stages.results import CalibrateResult, CompressResult, ConvertResult
from ovbuild.store import CacheEntry

_NOT_FOR_GENERATIVE = ("int8", "auto")


def _check_map(cfg: dict[str, Any]) -> None:
    if cfg["default"] in _NOT_FOR_GENERATIVE:
        raise RecipeError(
            f"precision.default: {cfg['default']!r} is not available for generative models; use "
            "int8_weights or int4_weights (weight-only; precision=int4_weights)"
        )
    for i, rule in enumerate(cfg.get("rules") or []):
        if rule["precision"] in _NOT_FOR_GENERATIVE:
            raise RecipeError(f"precision.rules[{i}].precision: {rule['precision']!r} is not available here")


def _keep_frontend_float(node_map: Any) -> None:
    """An in-graph audio front-end (Whisper's log-mel) is signal processing, not weights to
    compress: its DFT and mel constants stay f32 whatever the map says."""
    import re

    from ovbuild.frontends.audio_graph import FRONTEND_IGNORED_PATTERN

    pattern = re.compile(FRONTEND_IGNORED_PATTERN)
    for name in node_map.precision:
        if pattern.match(name):
            node_map.precision[name] = "fp32"


def _weights_dataset(ctx: StageContext, parent: CacheEntry, cfg: dict[str, Any], kind: str, file: str) -> Any:
    """An ``nncf.Dataset`` of whole-prompt inputs when a data-aware option is on, else None."""
    from ovbuild.precision.weights import data_aware

    wanted = data_aware(cfg)
    if not wanted:
        return None
    if kind != "causal":
        raise RecipeError(
            f"precision.{wanted[0]}: data-aware weight compression is implemented for decoder-only "
            "models (text-generation); drop it for this encoder-decoder model"
        )
    calib = ctx.entry(CalibrateResult)
    if calib is None:
        return None  # compression_kwargs names the missing calibration group
    import nncf

    from ovbuild.calibration.prompts import load_prompts, prefill_inputs

    model = ctx.core.read_model(str(parent.file(file)))
    names = {n for port in model.inputs for n in port.get_names()}
    return nncf.Dataset([prefill_inputs(ids, names) for ids in load_prompts(calib.path)["calibration"]])


def _float_weights(ctx: StageContext, parent: CacheEntry, files: list[str], default: str) -> CompressResult:
    """fp32: as exported; fp16/bf16: every sub-model's weights stored as f16."""
    if default == "fp32":
        return CompressResult(weights="f32")  # the stage base carries the parent's files forward
    for file in files:
        ctx.save_model(ctx.core.read_model(str(parent.file(file))), file, fp16=True)
    return CompressResult(weights="f16", details={"models": files})


def compress_generative(
    ctx: StageContext, parent: CacheEntry, precision_cfg: dict[str, Any], convert: ConvertResult
) -> CompressResult:
    """Apply the precision map to every model IR of a generative artifact.

    Returns:
        ``{"map", "models": {file: summary}}``.

    Raises:
        RecipeError: a precision generative models cannot take, a data-aware option without
            calibration data or on an encoder-decoder, a group size that does not fit.
        StageError: NNCF rejects the configuration.
    """
    from ovbuild.pins import pin_f32_in_xml
    from ovbuild.precision import apply_map, resolve

    cfg = dict(precision_cfg)
    files = sorted(set(convert.models.values()))
    if cfg["default"] in ("fp32", "fp16", "bf16") and not cfg.get("rules"):
        return _float_weights(ctx, parent, files, cfg["default"])
    _check_map(cfg)
    if cfg.get("all_layers") is None:
        cfg["all_layers"] = False
    kind = convert.generation["kind"]
    summaries: dict[str, Any] = {}
    for file in files:
        dataset = (
            _weights_dataset(ctx, parent, cfg, kind, file) if file == convert.models.get("model") else None
        )
        model = ctx.core.read_model(str(parent.file(file)))
        node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
        _keep_frontend_float(node_map)
        model, summary = apply_map(model, node_map, [], cfg, weights_dataset=dataset)
        xml = ctx.save_model(model, file)
        summary["pinned_f32"] = pin_f32_in_xml(xml, summary.pop("pin_f32"))
        summary["data_aware"] = dataset is not None
        summaries[file] = summary
    return CompressResult(
        map={"default": cfg["default"], "rules": cfg.get("rules") or []}, details={"models": summaries}
    )
