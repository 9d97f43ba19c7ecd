"""``precision: auto``: the cheapest precision map within an accuracy budget.

Every candidate is scored with the recipe's own checks (:mod:`ovbuild.metrics.gate`: the
``validate`` metric per output or per part, or a task metric such as ``detection``), against
FP32 outputs computed once at f32 on calibration samples (never the held-out ones). Phases:

1. **INT8**: one real static-INT8 build; if it meets ``max_drop`` it is a candidate.
2. **Rank**: each unit alone is restored to float in that INT8 graph (:mod:`.surgery`: inputs,
   weights and corrected biases), and the drop it wins back is measured on ``rank_samples``
   samples: no NNCF run per unit. A unit is a weighted layer, or in a transformer a role or a
   sublayer (:mod:`.units`), ranked per float weight it restores.
3. **Search**: the fewest most-sensitive layers whose restoration meets the budget, by doubling
   and bisection (:func:`.search.smallest_passing`) on the same surgery, then confirmed by up
   to ``confirm`` real re-quantized builds of the map, written in readable rules.
4. **Cheapest**: the passing candidates and the FP32 artifact are timed, interleaved, on the
   device at its default precision (text also in batches of 32); the fastest wins. If no map
   beats FP32 at every batch size, ``auto`` says so and publishes FP32.
"""

from __future__ import annotations

import logging
from typing import Any

from ovbuild.errors import RecipeError, StageError
from ovbuild.metrics.gate import within_budget
from ovbuild.precision.layers import classify
from ovbuild.precision.scoring import Scorer, budget_checks_config

log = logging.getLogger("ovbuild.precision.auto")
FLOAT_MAP = {"default": "fp32", "rules": []}


def _budget(cfg: dict[str, Any]) -> dict[str, Any]:
    budget = cfg.get("accuracy")
    if not budget or budget.get("max_drop") is None:
        raise RecipeError("precision.accuracy.max_drop: required when precision.default is 'auto'")
    return budget


def rank_layers(
    scorer: Scorer,
    int8_model: Any,
    units: dict[str, list[str]],
    parts: tuple,
    count: int,
    cost: dict[str, int] | None = None,
) -> list:
    """``[(unit, drop won back, closeness won back)]`` when it alone is restored, most first
    (most per float weight when ``cost`` is given)."""
    from tqdm import tqdm

    from ovbuild.precision.surgery import unquantize

    base = scorer.outputs(int8_model, count)
    base_drop, base_close = scorer.drop(base), scorer.closeness(base)
    gains = []
    for name in tqdm(units, desc="auto: layer sensitivity", leave=False):
        outs = scorer.outputs(unquantize(int8_model, units[name], parts), count)
        gains.append((name, base_drop - scorer.drop(outs), scorer.closeness(outs) - base_close))
    per = (lambda g: g[1] / cost[g[0]]) if cost else (lambda g: g[1])  # noqa: E731
    return sorted(gains, key=lambda g: (-per(g), -g[2]))


def search_units(int8_model: Any, float_model: Any, weighted: list[str], parts: tuple, budget: dict) -> tuple:
    """``(units, cost)``: roles and sublayers for a transformer, else each weighted layer with
    the quantized nodes after it (``cost`` None: ranked by accuracy alone)."""
    from ovbuild.precision.surgery import layer_groups

    groups = layer_groups(int8_model, weighted)
    if any("attention" in c for c in classify(float_model).values()):
        from ovbuild.precision.units import transformer_units

        units, cost = transformer_units(float_model, groups, parts[0])
        return {u: [m for g in gs for m in groups[g]] for u, gs in units.items()}, cost
    # Layers with a weight first; the bound keeps the ranking's cost (one compile each) in check.
    names = sorted(groups, key=lambda g: g not in set(weighted))
    names = names[: int(budget.get("max_units") or len(names))]
    return {g: groups[g] for g in names}, None


def fallback_map(model: Any, layers: list[str], weighted: set[str], fallback: str) -> dict[str, Any]:
    """INT8 everywhere except ``layers`` (weighted ones to ``fallback``, others float), in readable rules."""
    from ovbuild.precision.readable import unit_rule

    rules = [unit_rule(model, n, fallback if n in weighted else "fp16") for n in layers]
    unique = list({tuple(sorted(r.items())): r for r in rules}.values())
    return {"default": "int8", "rules": unique}


def search_mixed(scorer: Scorer, int8_model: Any, budget: dict[str, Any], search: dict) -> tuple | None:
    """Phases 2-3: ``(map, label, model)`` of the smallest confirmed mixed map, or ``None``."""
    from ovbuild.precision.layers import weighted_nodes
    from ovbuild.precision.search import smallest_passing
    from ovbuild.precision.surgery import float_biases, float_weights, unquantize

    max_drop, fallback = float(budget["max_drop"]), budget.get("fallback") or "fp16"
    float_model = scorer.ctx.read_model(scorer.parent)
    weighted = weighted_nodes(float_model)
    parts = (float_weights(float_model), float_biases(float_model))
    units, cost = search_units(int8_model, float_model, weighted, parts, budget)
    ranking = rank_layers(scorer, int8_model, units, parts, int(budget.get("rank_samples") or 16), cost)
    search["sensitivity"] = [[n, round(g, 6)] for n, g, _ in ranking[:20]]
    ordered = [n for n, _, _ in ranking]
    members = lambda k: list(dict.fromkeys(m for u in ordered[:k] for m in units[u]))  # noqa: E731
    estimates: dict[int, float] = {}

    def fits(k: int) -> bool:
        estimates[k] = scorer.drop(scorer.outputs(unquantize(int8_model, members(k), parts)))
        return within_budget(estimates[k], max_drop)

    k = smallest_passing(len(ordered), fits)
    search["surgery"] = {str(n): round(v, 6) for n, v in sorted(estimates.items())}
    for _ in range(int(budget.get("confirm") or 3) if k is not None else 0):
        chosen = fallback_map(float_model, members(k), set(weighted), fallback)
        label = f"int8 with {k} most sensitive {'units' if cost else 'layers'} in {fallback}"
        value, model = scorer.trial(label, chosen)
        if within_budget(value, max_drop):
            return chosen, label, model
        if k >= len(ordered):
            break
        k = min(len(ordered), max(k + 1, int(k * 1.5)))
    return None


def cheapest(
    scorer: Scorer, passing: list[tuple], measure: bool, search: dict, min_speedup: float = 1.0
) -> tuple[dict, str]:
    """Phase 4: the fastest passing map if it beats the FP32 artifact at the device's default
    precision, else FP32 (said plainly). Without timing, the one with the fewest float layers."""
    if not passing:
        log.warning("auto: no precision map meets the budget; publishing FP32")
        return FLOAT_MAP, "fp32 (no map meets the budget)"
    if not measure:
        chosen, label, _ = min(passing, key=lambda p: len(p[0]["rules"]))
        return chosen, label
    from ovbuild.precision.latency import time_candidates

    fp32 = scorer.ctx.read_model(scorer.parent)
    latency = time_candidates(scorer, {"fp32": fp32, **{label: model for _, label, model in passing}})
    search["latency_ms"] = {k: {f: round(v, 4) for f, v in t.items()} for k, t in latency.items()}
    # Relative to the float artifact, at every batch size measured: a map must pay at each one.
    ratio = {k: {f: v / latency["fp32"][f] for f, v in t.items()} for k, t in latency.items()}
    chosen, label, _ = min(passing, key=lambda p: max(ratio[p[1]].values()))
    # A map that merely ties FP32 costs accuracy for nothing: ``min_speedup`` is the bar it must clear.
    if max(ratio[label].values()) * min_speedup >= 1.0:
        log.warning(
            "auto: no precision map is %.2fx faster than the FP32 artifact on this device at every "
            "batch size (%s: %s ms vs fp32 %s ms); publishing FP32", min_speedup, label,
            search["latency_ms"][label], search["latency_ms"]["fp32"],
        )  # fmt: skip
        return FLOAT_MAP, f"fp32 (faster than {label})"
    return chosen, label


def select_map(ctx: Any, parent: Any, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Search the cheapest map whose drop on calibration samples is at most ``max_drop``.

    Returns:
        ``(map, search)``: ``map`` is ``{"default", "rules"}`` to pin in a recipe; ``search``
        records the checks, budget, sensitivity ranking, trials and latencies.

    Raises:
        RecipeError: no ``accuracy.max_drop``.
        StageError: no calibration data.
    """
    from ovbuild.calibration import calibration_samples

    budget = _budget(cfg)
    max_drop = float(budget["max_drop"])
    samples = calibration_samples(ctx, budget.get("samples") or 100)
    if not samples:
        raise StageError("precision.default=auto needs calibration data; add a calibration group")
    scorer = Scorer(ctx, parent, cfg, samples, budget_checks_config(ctx.recipe, budget))
    search: dict[str, Any] = {
        "metric": scorer.checks_cfg["metric"],
        "checks": [c.name for c in scorer.checks],
        "max_drop": max_drop,
        "samples": len(samples),
    }
    # An impossible budget is found before any quantization: FP32 executed at f32 is the floor.
    floor, _ = scorer.trial("fp32 at f32", FLOAT_MAP, {"INFERENCE_PRECISION_HINT": "f32"})
    if not within_budget(floor, max_drop):
        raise StageError(
            f"precision.accuracy.max_drop: impossible budget {max_drop}: even FP32 executed at f32 "
            f"has a drop of {floor:.6g} ({', '.join(search['checks'])})"
        )
    # The float artifact as users run it (the device's default precision) sets what is realistic.
    scorer.trial("fp32 (device default precision)", FLOAT_MAP)
    passing = []
    full = {"default": "int8", "rules": []}
    value, int8_model = scorer.trial("int8", full)
    if within_budget(value, max_drop):
        passing.append((full, "int8", int8_model))
    else:
        mixed = search_mixed(scorer, int8_model, budget, search)
        if mixed is not None:
            passing.append(mixed)
    measure = bool(budget.get("measure_latency", True))
    chosen, label = cheapest(scorer, passing, measure, search, float(budget.get("min_speedup") or 1.0))
    search.update(chosen=label, trials=scorer.trials)
    log.info("auto: chose %s", label)
    return chosen, search
