"""Scoring candidate precision maps with the recipe's own checks (those ``validate`` gates).

The FP32 reference runs once, at f32, on the tuning samples (calibration samples, never the
held-out ones), and every trial is compared with those stored outputs. The tuning samples are
split: the search ranks and bisects on the *search* part, and the map it settles on is confirmed
on the *confirmation* part it never saw, with a bootstrap interval of the drop.
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


def mean_of_samples(name: str) -> bool:
    """Whether a metric's value over samples is the mean of its per-sample values (so a resample's
    value is the mean of the resampled samples' values)."""
    from ovbuild.metrics.registry import AccuracyMetric, get_metric

    metric = get_metric(name)
    return metric.scope == "output" and type(metric).reduce is AccuracyMetric.reduce


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


def budget_checks_config(validate: dict[str, Any], budget: dict[str, Any]) -> dict[str, Any]:
    """The ``validate`` block the budget is measured with: the recipe's, with ``accuracy.metric``
    (when given) in place of ``validate.metric``."""
    validate = dict(validate or {})
    validate["metric"] = budget.get("metric") or validate.get("metric") or "cosine"
    return validate


class Scorer:
    """Compiles candidates and measures their drop on the tuning samples."""

    def __init__(
        self,
        ctx: Any,
        parent: Any,
        cfg: dict[str, Any],
        samples: list[dict],
        checks_cfg: dict,
        confirmation: list[dict] | None = None,
        props: dict[str, Any] | None = None,
        calibration: list[dict] | None = None,
    ):
        self.ctx, self.parent, self.cfg, self.checks_cfg = ctx, parent, cfg, checks_cfg
        #: Every calibration sample: what each candidate's INT8 nodes are calibrated on.
        self.calibration = list(calibration or [])
        self.samples, self.confirmation = samples, list(confirmation or [])
        self.props = dict(props or {})  # the device's numerics (inference precision) candidates compile with
        model = ctx.read_model(parent)
        ref = ctx.core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        self.refs = run_samples(ref, samples, "auto: FP32 reference")
        # The validate stage's checks: an output of one value per sample is scored by decision.
        sizes = [per_sample_size(o) for o in self.refs[0]] if self.refs else None
        self.checks = checks_for(checks_cfg, output_names(model), sizes)
        self.confirm_refs = (
            run_samples(ref, self.confirmation, "auto: FP32 reference") if confirmation else []
        )
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
        from ovbuild.precision.compile_map import apply_map, resolve
        from ovbuild.precision.statistics import statistics_scope

        cfg = {**self.cfg, **chosen}
        model = self.ctx.read_model(self.parent)
        node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
        model, _ = apply_map(
            model,
            node_map,
            self.calibration,
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

    def confirm(self, model: Any, props: dict | None = None, resamples: int = 200) -> dict[str, float]:
        """The drop of ``model`` on the confirmation samples, with a 90% bootstrap interval.

        Per-sample means (cosine, decisions, CTC strings) are measured once per sample and resampled
        cheaply; other metrics (pairwise, task functions) are measured again on the distinct
        samples of each of fewer draws (a subset of about 63%, so that interval is on the wide side,
        and no sample is its own nearest neighbour).
        """
        compiled = self.ctx.core.compile_model(model, "CPU", {**self.props, **(props or {})})
        outs = run_samples(compiled, self.confirmation, "auto: confirmation")
        refs, n = self.confirm_refs, len(self.confirmation)

        def values(idx: list[int], cands: list) -> dict[str, float]:
            sub = [self.confirmation[i] for i in idx]
            return measure(self.checks, [refs[i] for i in idx], [cands[i] for i in idx], sub, self.checks_cfg)

        def drop(idx: list[int]) -> float:
            return worst_drop(self.checks, values(idx, outs), values(idx, refs), factor)

        factor = self.checks_cfg.get("worst_factor", WORST_FACTOR)
        rng = np.random.default_rng(0)
        if all(mean_of_samples(c.metric) for c in self.checks):
            from ovbuild.metrics.gate import metric_params
            from ovbuild.metrics.registry import get_metric

            # each check's per-sample values on the whole set (thresholds read off all samples)
            table = np.stack([
                get_metric(c.metric).score(c.values(refs), c.values(outs), self.confirmation,
                                           metric_params(self.checks_cfg)).per_sample
                for c in self.checks
            ], axis=1)  # fmt: skip
            metrics = [get_metric(c.metric) for c in self.checks]

            def resampled(d: np.ndarray) -> dict[str, float]:
                out = {}
                for j, (c, metric) in enumerate(zip(self.checks, metrics, strict=True)):
                    out[c.name] = float(table[d, j].mean())
                    out[f"{c.name}.worst"] = metric.worst(table[d, j])
                return out

            draws = rng.integers(0, n, (resamples, n))
            boot = [worst_drop(self.checks, resampled(d), {}, factor) for d in draws]
        else:
            boot = [drop(sorted(set(rng.integers(0, n, n).tolist()))) for _ in range(resamples // 4)]
        low, high = np.quantile(boot, [0.05, 0.95])
        return {"drop": round(drop(list(range(n))), 6), "low": round(float(low), 6),
                "high": round(float(high), 6), "samples": n}  # fmt: skip
