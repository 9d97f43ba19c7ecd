"""Scoring candidate precision maps with the recipe's own checks (those ``validate`` gates).

The FP32 reference runs once, at f32, on the tuning samples (calibration samples, never the
held-out ones), and every trial is compared with those stored outputs.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ovbuild.metrics import checks_for, measure, output_names, run_outputs, worst_drop
from ovbuild.metrics.builtin import per_sample_size
from ovbuild.metrics.gate import WORST_FACTOR

log = logging.getLogger("ovbuild.precision.auto")


#: Sentences per request when samples are strings (an in-graph tokenizer pads each batch to its
#: longest): one request per batch instead of one per sample, as users run text models.
TEXT_BATCH = 32


def batchable(samples: list[dict[str, Any]]) -> bool:
    """True when every input of every sample is one string: text for an in-graph tokenizer."""
    return bool(samples) and all(
        np.asarray(v).dtype.kind in "US" and np.asarray(v).shape == (1,) for s in samples for v in s.values()
    )


def stack_samples(samples: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """One request's inputs for several samples: each input concatenated along the batch axis."""
    return {k: np.concatenate([s[k] for s in samples]) for k in samples[0]}


def run_samples(compiled: Any, samples: list[dict[str, Any]], desc: str) -> list[list[np.ndarray]]:
    """:func:`ovbuild.metrics.run_outputs`, in batches of :data:`TEXT_BATCH` for string samples."""
    # Only outputs of one fixed size per sentence (pooled embeddings, scores): token outputs would
    # come back padded to the batch's longest sentence.
    fixed = all(
        o.get_partial_shape().rank.is_static and o.get_partial_shape()[1:].is_static for o in compiled.outputs
    )
    if not (fixed and batchable(samples)):
        return run_outputs(compiled, samples, desc)
    request = compiled.create_infer_request()
    outputs: list[list[np.ndarray]] = []
    for start in range(0, len(samples), TEXT_BATCH):
        chunk = samples[start : start + TEXT_BATCH]
        result = request.infer(stack_samples(chunk))
        arrays = [np.array(result[port]) for port in compiled.outputs]
        if any(a.shape[:1] != (len(chunk),) for a in arrays):  # not batch-major: one by one
            return run_outputs(compiled, samples, desc)
        outputs.extend([a[i : i + 1] for a in arrays] for i in range(len(chunk)))
    return outputs


def budget_checks_config(ctx_recipe: dict[str, Any], budget: dict[str, Any]) -> dict[str, Any]:
    """The ``validate`` block the budget is measured with: the recipe's, with ``accuracy.metric``
    (when given) in place of ``validate.metric``."""
    validate = dict(ctx_recipe.get("validate") or {})
    validate["metric"] = budget.get("metric") or validate.get("metric") or "cosine"
    return validate


class Scorer:
    """Compiles candidates and measures their drop on the tuning samples."""

    def __init__(self, ctx: Any, parent: Any, cfg: dict[str, Any], samples: list[dict], checks_cfg: dict):
        self.ctx, self.parent, self.cfg, self.checks_cfg = ctx, parent, cfg, checks_cfg
        self.samples = samples
        from ovbuild.runtime.devices import candidate_properties

        self.props = candidate_properties(ctx.recipe)
        model = ctx.read_model(parent)
        ref = ctx.core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        self.refs = run_samples(ref, samples, "auto: FP32 reference")
        # The validate stage's checks: an output of one value per sample is scored by decision.
        sizes = [per_sample_size(o) for o in self.refs[0]] if self.refs else None
        self.checks = checks_for(checks_cfg, output_names(model), sizes)
        # What the reference scores against itself: the ideal of a ``target`` metric.
        self.ideal = measure(self.checks, self.refs, self.refs, samples, checks_cfg)
        self.trials: list[dict[str, Any]] = []

    def outputs(self, model: Any, count: int | None = None, props: dict | None = None) -> list:
        compiled = self.ctx.core.compile_model(model, "CPU", {**self.props, **(props or {})})
        return run_samples(compiled, self.samples[:count], "auto: candidate")

    def values(self, outs: list) -> dict[str, float]:
        n = len(outs)
        return measure(self.checks, self.refs[:n], outs, self.samples[:n], self.checks_cfg)

    def drop(self, outs: list) -> float:
        """The worst check's drop, its worst sample held to ``worst_factor`` times the budget as
        the gate holds it to ``worst_factor`` times ``validate.min``'s allowance."""
        factor = self.checks_cfg.get("worst_factor", WORST_FACTOR)
        return worst_drop(self.checks, self.values(outs), self.ideal, factor)

    def closeness(self, outs: list) -> float:
        """Mean cosine to the reference over every output: the tie-breaker of the ranking."""
        from ovbuild.metrics.similarity import cosine_of

        return float(
            np.mean(
                [
                    cosine_of(r, c)
                    for ref, out in zip(self.refs, outs, strict=False)
                    for r, c in zip(ref, out, strict=True)
                ]
            )
        )

    def build(self, chosen: dict[str, Any]) -> Any:
        from ovbuild.calibration import calibration_samples
        from ovbuild.precision.compile_map import apply_map, resolve
        from ovbuild.precision.statistics import statistics_scope

        cfg = {**self.cfg, **chosen}
        model = self.ctx.read_model(self.parent)
        node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
        model, _ = apply_map(
            model,
            node_map,
            calibration_samples(self.ctx),
            cfg,
            statistics=statistics_scope(self.ctx, self.parent),
        )
        return model

    def trial(self, label: str, chosen: dict[str, Any], props: dict | None = None) -> tuple[float, Any]:
        """Build ``chosen`` for real and score it; returns ``(drop, model)``."""
        model = self.build(chosen)
        value = self.drop(self.outputs(model, props=props))
        self.trials.append({"candidate": label, "drop": round(value, 6)})
        log.info("auto: %s -> drop %.5f", label, value)
        return value, model
