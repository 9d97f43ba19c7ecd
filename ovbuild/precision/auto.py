"""``precision: auto``: the cheapest precision map within an accuracy budget.

The search first checks the floor (FP32 executed at f32; if even that misses ``max_drop`` the
budget is impossible), then tries full static INT8. If that misses, it ranks every quantized
layer by sensitivity: in the INT8 graph the layer alone gets its float input (before the
quantizer and SmoothQuant scale) and float weights back, and the gain in mean cosine to the FP32
reference is measured (one compile per layer, no re-quantization). The ``k`` most sensitive
layers then move to ``accuracy.fallback`` (float by default: on MiniLM an INT8 weight-only
fallback loses what the float layers win back), ``k`` found by doubling and bisection on these
cheap estimates and confirmed by a real re-quantized build. If that fails, whole-model
fallbacks follow. Scoring uses calibration samples, never the held-out ones ``validate`` uses.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from ovbuild.errors import RecipeError, StageError
from ovbuild.metrics import drop, run_outputs, score

log = logging.getLogger("ovbuild.precision.auto")


class _Scorer:
    """Compiles candidates and measures their drop on the tuning samples."""

    def __init__(self, ctx: Any, parent: Any, cfg: dict[str, Any], samples: list[dict], metric: str):
        from ovbuild.runtime.devices import candidate_properties

        self.ctx, self.parent, self.cfg, self.metric = ctx, parent, cfg, metric
        self.samples = samples
        self.props = candidate_properties(ctx.recipe)
        target = (ctx.recipe.get("validate") or {}).get("target")
        self.target = target
        ref = ctx.core.compile_model(ctx.read_model(parent), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        self.refs = run_outputs(ref, samples, "auto: FP32 reference")
        self.ref_value = score(metric, self.refs, self.refs, samples, target) if metric == "target" else None
        self.trials: list[dict[str, Any]] = []

    def subset(self, count: int) -> _Scorer:
        """The same scorer on the first ``count`` samples (cheap ranking)."""
        sub = object.__new__(_Scorer)
        sub.__dict__.update(self.__dict__)
        sub.samples, sub.refs, sub.trials = self.samples[:count], self.refs[:count], []
        return sub

    def outputs(self, model: Any, props: dict[str, Any] | None = None) -> list[np.ndarray]:
        compiled = self.ctx.core.compile_model(model, "CPU", {**self.props, **(props or {})})
        return run_outputs(compiled, self.samples, "auto: candidate")

    def drop_of(self, outs: list[np.ndarray]) -> float:
        return drop(
            self.metric, score(self.metric, self.refs, outs, self.samples, self.target), self.ref_value
        )

    def cosine(self, outs: list[np.ndarray]) -> float:
        return score("cosine", self.refs, outs, self.samples)

    def build(self, chosen: dict[str, Any]) -> Any:
        from ovbuild.calibration import calibration_samples
        from ovbuild.precision.compile_map import apply_map, resolve

        cfg = {**self.cfg, **chosen}
        model = self.ctx.read_model(self.parent)
        node_map = resolve(model, cfg["default"], list(cfg.get("rules") or []))
        model, _ = apply_map(model, node_map, calibration_samples(self.ctx), cfg)
        return model

    def trial(self, label: str, chosen: dict[str, Any], props: dict[str, Any] | None = None) -> float:
        value = self.drop_of(self.outputs(self.build(chosen), props))
        self.trials.append({"candidate": label, "drop": round(value, 6)})
        log.info("auto: %s -> %s drop %.5f", label, self.metric, value)
        return value


_REAL_TRIALS = 3  # re-quantized confirmations of surgery estimates before whole-model fallbacks


def _float_weight(node: Any, port: int) -> Any:
    """The float value of a weight input (a Constant, or a Convert of one), or ``None``."""
    import numpy as np

    src = node.input_value(port).get_node()
    if src.get_type_name() == "Convert" and src.input_value(0).get_node().get_type_name() == "Constant":
        src = src.input_value(0).get_node()
    if src.get_type_name() != "Constant":
        return None
    return src.get_data().astype(np.float32)


def float_weights(model: Any) -> dict[str, tuple[int, Any]]:
    """``{weighted node: (weight port, float weight)}`` of the float model, for surgery."""
    from ovbuild.precision.layers import weight_port

    out = {}
    for node in model.get_ordered_ops():
        port = weight_port(node) if node.get_type_name() != "Gather" else None
        if port is not None:
            value = _float_weight(node, port)
            if value is not None:
                out[node.get_friendly_name()] = (port, value)
    return out


def _unquantized_source(output: Any) -> Any:
    """Walk back from an input through FakeQuantize and SmoothQuant scaling to the float tensor."""
    node = output.get_node()
    while node.get_type_name() == "FakeQuantize" or (
        node.get_type_name() == "Multiply" and "smooth_quant" in node.get_friendly_name()
    ):
        output = node.input_value(0)
        node = output.get_node()
    return output


def unquantize(int8_model: Any, nodes: list[str] | set[str], weights: dict[str, tuple[int, Any]]) -> Any:
    """A clone of the INT8 model where ``nodes`` compute in float again.

    Activations are taken from before their quantizer (and SmoothQuant scale); weighted nodes get
    their original float weights back. This estimates a map that keeps ``nodes`` out of static
    INT8 without re-running NNCF.
    """
    import openvino.opset13 as ops

    clone = int8_model.clone()
    wanted = set(nodes)
    for node in clone.get_ordered_ops():
        name = node.get_friendly_name()
        if name not in wanted:
            continue
        weight = weights.get(name)
        for port in range(node.get_input_size()):
            if weight is not None and port == weight[0]:
                node.input(port).replace_source_output(ops.constant(weight[1]).output(0))
            else:
                node.input(port).replace_source_output(_unquantized_source(node.input_value(port)))
    return clone


def quantized_nodes(int8_model: Any) -> list[str]:
    """Compute nodes fed by an activation quantizer (the units the search can keep out)."""
    from ovbuild.precision.layers import is_constant_path

    names = []
    for node in int8_model.get_ordered_ops():
        if node.get_type_name() == "FakeQuantize":
            continue
        for port in range(node.get_input_size()):
            src = node.input_value(port).get_node()
            if src.get_type_name() == "FakeQuantize" and not is_constant_path(src.input_value(0).get_node()):
                names.append(node.get_friendly_name())
                break
    return names


def rank_sensitivity(
    scorer: _Scorer, int8_model: Any, nodes: list[str], weights: dict, count: int
) -> list[tuple[str, float]]:
    """``[(node, cosine gain when it alone computes in float)]`` on ``count`` samples, most first."""
    from tqdm import tqdm

    probe = _Scorer.subset(scorer, count)
    base = probe.cosine(probe.outputs(int8_model))
    gains = [
        (name, probe.cosine(probe.outputs(unquantize(int8_model, [name], weights))) - base)
        for name in tqdm(nodes, desc="auto: layer sensitivity", leave=False)
    ]
    return sorted(gains, key=lambda g: -g[1])


def _fallback_map(nodes: set[str], weighted: set[str], fallback: str) -> dict[str, Any]:
    """INT8 everywhere except ``nodes``: weighted ones go to ``fallback``, the rest stay float."""
    rules = [
        {"name": f"^{re.escape(n)}$", "precision": fallback if n in weighted else "fp16"}
        for n in sorted(nodes)
    ]
    return {"default": "int8", "rules": rules}


def _budget(cfg: dict[str, Any], recipe: dict[str, Any]) -> tuple[dict[str, Any], str]:
    budget = cfg.get("accuracy")
    if not budget or budget.get("max_drop") is None:
        raise RecipeError("precision.accuracy.max_drop: required when precision.default is 'auto'")
    metric = budget.get("metric") or (recipe.get("validate") or {}).get("metric") or "cosine"
    return budget, metric


def select_map(ctx: Any, parent: Any, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Search the cheapest map whose drop on calibration samples is at most ``max_drop``.

    Args:
        ctx: the compress stage's context (``ancestors['calibrate']`` must exist).
        parent: the cache entry holding the float model.
        cfg: the ``precision`` block with ``default: auto``.

    Returns:
        ``(map, search)``: ``map`` is ``{"default", "rules"}`` to pin in a recipe; ``search``
        records the metric, budget, sensitivity ranking and every trial.

    Raises:
        RecipeError: no ``accuracy.max_drop``.
        StageError: no calibration data, or even FP32 misses the budget.
    """
    from ovbuild.calibration import calibration_samples
    from ovbuild.precision.layers import weighted_nodes

    budget, metric = _budget(cfg, ctx.recipe)
    max_drop = float(budget["max_drop"])
    samples = calibration_samples(ctx, budget.get("samples") or 100)
    if not samples:
        raise StageError("precision.default=auto needs calibration data; set a calibration group")
    scorer = _Scorer(ctx, parent, cfg, samples, metric)
    search: dict[str, Any] = {"metric": metric, "max_drop": max_drop, "samples": len(samples)}

    def done(chosen: dict[str, Any], label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        search.update(chosen=label, trials=scorer.trials)
        log.info("auto: chose %s", label)
        return chosen, search

    # An impossible budget is found before any quantization: FP32 executed at f32 is the floor.
    pinned = {"default": "fp32", "rules": [{"name": ".*", "precision": "fp32"}]}
    floor = scorer.trial("fp32 at f32", pinned, {"INFERENCE_PRECISION_HINT": "f32"})
    if floor > max_drop:
        raise StageError(
            f"precision.accuracy.max_drop: impossible budget {max_drop}: even FP32 executed at f32 "
            f"gives a {metric} drop of {floor:.6g}"
        )
    full = {"default": "int8", "rules": []}
    int8_model = scorer.build(full)
    first = scorer.drop_of(scorer.outputs(int8_model))
    scorer.trials.append({"candidate": "int8", "drop": round(first, 6)})
    if first <= max_drop:
        return done(full, "int8")

    fallback = budget.get("fallback") or "fp16"
    float_model = ctx.read_model(parent)
    weighted = set(weighted_nodes(float_model))
    weights = float_weights(float_model)
    units = quantized_nodes(int8_model)
    ranking = rank_sensitivity(scorer, int8_model, units, weights, min(len(samples), 32))
    search["sensitivity"] = [[n, round(g, 6)] for n, g in ranking[:20]]
    ordered = [n for n, _ in ranking]
    surgery: dict[int, float] = {}

    def fits_surgery(k: int) -> bool:
        if k not in surgery:
            surgery[k] = scorer.drop_of(scorer.outputs(unquantize(int8_model, ordered[:k], weights)))
        return surgery[k] <= max_drop

    k, last_bad = 1, 0
    while k < len(ordered) and not fits_surgery(k):
        last_bad, k = k, min(2 * k, len(ordered))
    lo, hi = last_bad, k
    while hi - lo > 1 and fits_surgery(hi):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits_surgery(mid) else (mid, hi)
    search["surgery"] = {str(k): round(v, 6) for k, v in sorted(surgery.items())}
    for _ in range(_REAL_TRIALS):
        if not fits_surgery(hi):
            break
        chosen = _fallback_map(set(ordered[:hi]), weighted, fallback)
        label = f"int8 with {hi} most sensitive layers in {fallback} (or float)"
        if scorer.trial(label, chosen) <= max_drop:
            return done(chosen, label)
        if hi >= len(ordered):
            break
        hi = min(len(ordered), max(hi + 1, int(hi * 1.5)))

    for whole in (fallback, "fp16"):
        if scorer.trial(whole, {"default": whole, "rules": []}) <= max_drop:
            return done({"default": whole, "rules": []}, whole)
    return done(pinned, "fp32 at f32")
