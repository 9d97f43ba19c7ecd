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


def candidate_timings(
    scorer: Any, models: dict[str, tuple[Any, dict]], rounds: int | None = None
) -> dict[str, dict]:
    """``{model label: {feed: Timing}}``: each model compiled with the recipe's device properties
    plus its own (none for a map: as ``load()`` runs it), every (model, feed) timed in the same
    interleaved rounds (:mod:`ovbuild.runtime.timing`), so :func:`~ovbuild.runtime.timing.faster`
    compares two of them by their per-round ratios."""
    from ovbuild.runtime.timing import ROUNDS, interleaved, what_of

    inputs = feeds(scorer.samples)
    runners, what = {}, {}
    for label, (model, extra) in models.items():
        props = {"PERFORMANCE_HINT": "LATENCY", **scorer.props, **extra}
        compiled = scorer.ctx.core.compile_model(model, "CPU", props)
        request = compiled.create_infer_request()
        for feed, sample in inputs.items():
            runners[(label, feed)] = lambda request=request, sample=sample: request.infer(sample)
            what[(label, feed)] = what_of(sample, compiled, device="CPU", candidate=label)
    timed = interleaved(runners, rounds=rounds or ROUNDS, seconds=0.0, min_calls=10, what=what)
    return {label: {feed: timed[(label, feed)] for feed in inputs} for label in models}
