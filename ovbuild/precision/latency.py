"""Timing candidate maps on the target device as users run them (the device's default precision)."""

from __future__ import annotations

from typing import Any


def time_candidates(scorer: Any, models: dict[str, Any]) -> dict[str, float]:
    """Median latency (ms) of each model on one tuning sample, compiled with the recipe's device
    properties (no precision hint unless the recipe sets one), timed in interleaved rounds."""
    from ovbuild.precision.search import interleaved_medians

    sample = scorer.samples[0]
    props = {"PERFORMANCE_HINT": "LATENCY", **scorer.props}
    runners = {}
    for label, model in models.items():
        request = scorer.ctx.core.compile_model(model, "CPU", props).create_infer_request()
        runners[label] = lambda request=request: request.infer(sample)
    return interleaved_medians(runners, rounds=5, iterations=10)
