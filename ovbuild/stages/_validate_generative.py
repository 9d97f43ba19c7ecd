"""The accuracy gate of generative artifacts: generation compared with the FP32 artifact's.

``token_agreement``: on each held-out prompt the FP32 model (convert's IR at f32) generates
``validate.new_tokens`` greedy tokens; the candidate is teacher-forced along that sequence and
the metric is the fraction of steps where its greedy choice is the same token. Teacher forcing
scores every step on its own, so one early divergence does not zero the rest of a sequence.
``sequence_match`` (reported beside it) is the fraction of prompts whose free-running greedy
output equals the reference's exactly.

Generative metrics (``token_agreement``; ``wer`` for speech) are classes of scope
``"generation"`` in the metric registry (:mod:`ovbuild.metrics.task`), which holds their direction
and range; how each is scored lives here (:func:`_scorer`), since scoring runs models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import RecipeError
from ovbuild.stages.base import StageContext
from ovbuild.stages.results import CalibrateResult, ConvertResult, ValidateResult
from ovbuild.store import CacheEntry


def _prompts(ctx: StageContext, parent: CacheEntry, cfg: dict[str, Any]) -> list[list[int]]:
    """Held-out prompt ids: ``validate.data`` (a text file, one prompt a line) or calibration's holdout."""
    limit = int(cfg["samples"])
    if cfg.get("data"):
        path = Path(cfg["data"]).expanduser()
        if not path.is_file():
            raise RecipeError(f"validate.data: no such prompt file: {path}")
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()][:limit]
        tokenizer = ctx.core.compile_model(str(parent.file(_generation(ctx)["tokenizer"])), "CPU")
        request = tokenizer.create_infer_request()
        return [np.asarray(request.infer([np.array([line])])["input_ids"])[0].tolist() for line in lines]
    calib, calibrated = ctx.entry(CalibrateResult), ctx.result(CalibrateResult)
    if calib is None or not calibrated.prompts:
        raise RecipeError(
            "validate.data: the generation gate needs held-out prompts: set validate.data (a text "
            "file, one prompt a line) or a text calibration group (its held-out split is used)"
        )
    from ovbuild.calibration.prompts import load_prompts

    return load_prompts(calib.path)["holdout"][:limit]


def _convert(ctx: StageContext) -> ConvertResult:
    convert = ctx.result(ConvertResult)
    if convert is None or not convert.generation:  # validate_generative runs only after such a convert
        raise RecipeError("validate: the generation gate needs a generative model from the convert stage")
    return convert


def _generation(ctx: StageContext) -> Mapping[str, Any]:
    return _convert(ctx).generation


def _decoders(ctx: StageContext, entry: CacheEntry, properties: dict[str, Any]) -> Callable[[], Any]:
    """A factory of fresh single-sequence decoders (the loader's own) over ``entry``'s IR files."""
    from ovbuild.runtime.generate import open_decoder
    from ovbuild.runtime.inputs import port_specs
    from ovbuild.runtime.session import Session

    convert = _convert(ctx)
    models, generation = convert.models, convert.generation
    main = "model" if generation["kind"] == "causal" else "encoder"
    compiled = {
        role: ctx.core.compile_model(str(entry.file(models[name])), "CPU", properties)
        for role, name in ((None, main), ("decoder", "decoder"))
        if name in models and (role is None or generation["kind"] != "causal")
    }

    def open_session(role: str | None) -> Any:
        model = compiled[role]
        return Session(model, port_specs(list(model.inputs)), [p.get_any_name() for p in model.outputs])

    return lambda: open_decoder(generation["kind"], open_session, generation.get("decoder_start_token_id"))


def _greedy(sequence: Any, prompt: np.ndarray, count: int, eos: set[int]) -> list[int]:
    logits, out = sequence.start(prompt), []
    for _ in range(count):
        out.append(int(np.argmax(logits)))
        if out[-1] in eos or len(out) == count:
            break
        logits = sequence.next(out[-1])
    sequence.close()
    return out


def _forced_agreement(sequence: Any, prompt: np.ndarray, reference: list[int]) -> int:
    logits, same = sequence.start(prompt), 0
    for i, token in enumerate(reference):
        same += int(np.argmax(logits)) == token
        if i + 1 < len(reference):
            logits = sequence.next(token)
    sequence.close()
    return same


def token_agreement(
    ctx: StageContext, parent: CacheEntry, cfg: dict[str, Any], properties: dict[str, Any]
) -> tuple[float, dict, int]:
    """Teacher-forced greedy token agreement (and exact sequence match) against the FP32 IR, the
    candidate compiled with ``properties`` (the device's numerics)."""

    prompts = _prompts(ctx, parent, cfg)
    if not prompts:
        raise RecipeError("validate.samples: no held-out prompts to score")
    eos = set(_generation(ctx).get("eos_token_ids") or [])
    count = int(cfg.get("new_tokens") or 32)
    reference = _decoders(ctx, ctx.entry(ConvertResult), {"INFERENCE_PRECISION_HINT": "f32"})
    candidate = _decoders(ctx, parent, properties)
    agree = total = exact = 0
    for ids in prompts:
        prompt = np.array(ids, np.int64)
        wanted = _greedy(reference(), prompt, count, eos)
        agree += _forced_agreement(candidate(), prompt, wanted)
        total += len(wanted)
        exact += _greedy(candidate(), prompt, count, eos) == wanted
    values = {"token_agreement": agree / max(total, 1), "sequence_match": exact / len(prompts)}
    return values["token_agreement"], values, len(prompts)


def _scorer(metric: str) -> Callable[..., tuple[float, dict, int]]:
    """The function that scores ``metric`` by generating: ``(value, {metric: value}, samples)``."""
    if metric == "wer":
        from ovbuild.stages._validate_wer import wer_against_reference

        return wer_against_reference
    return token_agreement


def validate_generative(
    ctx: StageContext, parent: CacheEntry, cfg: dict[str, Any], properties: dict[str, Any]
) -> ValidateResult:
    """Score the candidate (compiled with ``properties``) with ``validate.metric`` and apply
    ``validate.min``/``max``.

    Raises:
        RecipeError: a metric that does not apply to generative models, no held-out prompts.
        StageError: the measured value misses its bound (nothing is published).
    """
    from ovbuild.metrics.gate import Check, misses
    from ovbuild.metrics.registry import AccuracyMetric, get_metric
    from ovbuild.stages.validate import check_bounds

    metric = str(cfg["metric"])
    if get_metric(metric).scope != "generation":
        usable = sorted(n for n, cls in AccuracyMetric.registry.items() if cls.scope == "generation")
        raise RecipeError(
            f"validate.metric: {metric!r} does not apply to generative models; use {', '.join(usable)}"
        )
    value, values, samples = _scorer(metric)(ctx, parent, cfg, properties)
    ctx.log.info("validate: %s", ", ".join(f"{k}={v:.5f}" for k, v in values.items()))
    check = Check(metric, metric, min=cfg.get("min"), max=cfg.get("max"))
    check_bounds(misses([check], {metric: value}), str(parent.path))
    return ValidateResult(metric=metric, value=value, samples=samples, metrics=values)
