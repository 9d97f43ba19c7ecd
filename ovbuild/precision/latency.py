"""Timing candidate maps on the target device as users run them (the device's default precision)."""

from __future__ import annotations

from typing import Any


def feeds(samples: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What one call looks like: ``b1`` a single tuning sample, and for text also ``b32``, a batch
    of 32 sentences (or all the samples, when fewer): users embed sentences in batches, where
    INT8 pays differently."""
    from ovbuild.precision.scoring import TEXT_BATCH, batchable, stack_samples

    out = {"b1": samples[0]}
    chunk = samples[:TEXT_BATCH]
    if batchable(samples) and len(chunk) > 1:
        out[f"b{len(chunk)}"] = stack_samples(chunk)
    return out


def time_candidates(scorer: Any, models: dict[str, Any]) -> dict[str, dict[str, float]]:
    """``{model label: {feed: median ms}}``, each model compiled with the recipe's device
    properties (no precision hint unless the recipe sets one), timed in interleaved rounds."""
    from ovbuild.precision.search import interleaved_medians

    props = {"PERFORMANCE_HINT": "LATENCY", **scorer.props}
    inputs = feeds(scorer.samples)
    runners = {}
    for label, model in models.items():
        request = scorer.ctx.core.compile_model(model, "CPU", props).create_infer_request()
        for feed, sample in inputs.items():
            runners[(label, feed)] = lambda request=request, sample=sample: request.infer(sample)
    medians = interleaved_medians(runners, rounds=5, iterations=10)
    return {label: {feed: medians[(label, feed)] for feed in inputs} for label in models}
