"""Phases 2-5 of ``precision: auto``: the smallest mixed map that meets the budget.

Per-layer costs from performance counters, each unit's sensitivity by graph surgery, the
knapsack order in which units return to float, the smallest passing set by bisection on the
surgery, and real re-quantized builds of it that must pass on the confirmation samples.
"""

from __future__ import annotations

import logging
from typing import Any

from ovbuild.metrics.gate import within_budget
from ovbuild.precision.layers import classify, has_attention
from ovbuild.precision.schemes import scheme_label
from ovbuild.precision.scoring import Scorer
from ovbuild.precision.search_log import per_layer_table, progress

log = logging.getLogger("ovbuild.precision.auto")


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
    if has_attention(classify(float_model)):
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

    other = "fp32" if fallback == "fp32" else "fp16"
    rules = [unit_rule(model, n, fallback if n in weighted else other) for n in layers]
    unique = list({tuple(sorted(r.items())): r for r in rules}.values())
    return {"default": "int8", "rules": unique}


def knapsack_order(gains: dict[str, float], saved: dict[str, float] | None) -> tuple[list[str], int]:
    """``(units in restore order, how many restore for free)``.

    Restoring a unit costs the time INT8 saves there and wins back accuracy: units INT8 does not
    speed up come first (``free`` of them), then the others by accuracy won back per millisecond
    given up, the greedy order of the knapsack "most time saved within the accuracy budget".
    Without measured times, by accuracy alone.
    """
    if not saved:
        return sorted(gains, key=lambda u: -gains[u]), 0
    free = sorted((u for u in gains if saved.get(u, 0.0) <= 0.0), key=lambda u: (-gains[u], u))
    paid = sorted(
        (u for u in gains if saved.get(u, 0.0) > 0.0), key=lambda u: (-gains[u] / saved[u], -gains[u], u)
    )
    return free + paid, len(free)


def layer_costs(
    scorer: Scorer, float_model: Any, int8_model: Any, units: dict[str, list[str]], search: dict
) -> dict:
    """``{unit: ms INT8 saves there}`` from per-node counters of both models as ``load()`` runs
    them (on the largest timing feed); the full table lands in ``search["layers"]``."""
    from ovbuild.precision.latency import feeds
    from ovbuild.precision.profile import owners, savings, unit_costs

    sample = list(feeds(scorer.samples).values())[-1]
    owner = owners(int8_model, units)
    core, props = scorer.ctx.core, scorer.float_props
    per_unit = savings(
        unit_costs(core, float_model, props, sample, owner),
        unit_costs(core, int8_model, scorer.props, sample, owner),
    )
    search["layers"] = per_unit
    return {u: c["saved_ms"] for u, c in per_unit.items() if u in units}


def search_mixed(
    scorer: Scorer, int8_model: Any, budget: dict[str, Any], search: dict, fallback: str, scheme: dict
) -> tuple | None:
    """Phases 2-5: ``(map, label, model)`` of the smallest confirmed mixed map, or ``None``."""
    from ovbuild.precision.layers import weighted_nodes
    from ovbuild.precision.search import smallest_passing
    from ovbuild.precision.surgery import float_biases, float_weights, unquantize

    max_drop = float(budget["max_drop"])
    float_model = scorer.ctx.read_model(scorer.parent)
    weighted = weighted_nodes(float_model)
    parts = (float_weights(float_model), float_biases(float_model))
    units, cost = search_units(int8_model, float_model, weighted, parts, budget)
    saved = None
    if budget.get("measure_latency", True):
        progress(scorer, "per-layer cost (performance counters)")
        saved = layer_costs(scorer, float_model, int8_model, units, search)
        if all(saved.get(u, 0.0) <= 0.0 for u in units):  # no knapsack to fill: nothing to search
            log.warning("auto: INT8 saves no time in any layer on this device:\n%s", per_layer_table(search))
            search["surgery"] = {}
            return None
    progress(scorer, f"sensitivity of {len(units)} units")
    ranking = rank_layers(scorer, int8_model, units, parts, int(budget.get("rank_samples") or 16), cost)
    gains = {n: g for n, g, _ in ranking}
    search["sensitivity"] = [[n, round(g, 6)] for n, g, _ in ranking[:20]]
    ordered, free = knapsack_order(gains, saved) if saved else ([n for n, _, _ in ranking], 0)
    search["order"] = {"free": ordered[:free], "paid": ordered[free : free + 20]}
    members = lambda k: list(dict.fromkeys(m for u in ordered[:k] for m in units[u]))  # noqa: E731
    estimates: dict[int, float] = {}

    def fits(k: int) -> bool:
        estimates[k] = scorer.drop(scorer.outputs(unquantize(int8_model, members(k), parts)))
        return within_budget(estimates[k], max_drop)

    progress(scorer, "smallest passing restore set (surgery)")
    k = smallest_passing(len(ordered), fits, start=max(1, free))
    search["surgery"] = {str(n): round(v, 6) for n, v in sorted(estimates.items())}
    for _ in range(int(budget.get("confirm") or 3) if k is not None else 0):
        chosen = {**fallback_map(float_model, members(k), set(weighted), fallback), **scheme}
        label = f"{scheme_label(scheme)} with {k} {'units' if cost else 'layers'} in {fallback}"
        value, model = scorer.trial(label, chosen)
        if within_budget(value, max_drop) and confirmed(scorer, label, model, max_drop, search):
            return chosen, label, model
        if k >= len(ordered):
            break
        k = min(len(ordered), max(k + 1, int(k * 1.5)))
    return None


def confirmed(
    scorer: Scorer, label: str, model: Any, max_drop: float, search: dict, props: dict | None = None
) -> bool:
    """Score ``model`` on the confirmation samples; it passes when its drop there is within budget."""
    result = scorer.confirm(model, props)
    search.setdefault("confirmation", {})[label] = result
    # The whole interval must be within budget: a drop just under it on these samples is as likely
    # just over it on the held-out ones.
    ok = within_budget(result["drop"], max_drop) and within_budget(result["high"], max_drop)
    if within_budget(result["drop"], max_drop) and not ok:
        log.warning(
            "auto: %s: drop %.4g on %d confirmation samples, but its 90%% interval reaches %.4g, over "
            "the budget %.4g: not confirmed (more calibration.samples narrow the interval)", label,
            result["drop"], result["samples"], result["high"], max_drop,
        )  # fmt: skip
    interval = f"[{result['low']:.5f}, {result['high']:.5f}]"
    verdict = "ok" if ok else "over budget"
    progress(
        scorer,
        f"confirm {label}: drop {result['drop']:.5f} {interval} on {result['samples']} unseen -> {verdict}",
    )
    return ok
