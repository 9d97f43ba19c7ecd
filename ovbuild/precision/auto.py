"""``precision: auto``: the cheapest precision map within an accuracy budget.

Every candidate is scored with the recipe's own checks (:mod:`ovbuild.metrics.gate`: the
``validate`` metric per output or per part, or a task metric such as ``detection``), against
FP32 outputs computed once at f32 on calibration samples (never the held-out ones). Phases:

0. **Float**: FP32 at f32 (the floor: an impossible budget stops here) and FP32 as ``load()``
   runs it (the device's default float, bf16 on CPUs that have it). When the default float
   misses the budget the build says so, and float fallbacks execute at f32 (pinned in the IR).
1. **INT8**: one real static-INT8 build; if it meets ``max_drop`` it is a candidate.
2. **Cost**: per-node performance counters of the float artifact and the INT8 model
   (:mod:`.profile`) give each unit's time in each precision, conversions included.
3. **Rank**: each unit alone is restored to float in that INT8 graph (:mod:`.surgery`: inputs,
   weights and corrected biases), and the drop it wins back is measured on ``rank_samples``
   samples: no NNCF run per unit. A unit is a weighted layer, or in a transformer a role or a
   sublayer (:mod:`.units`).
4. **Knapsack**: units INT8 does not speed up are restored first (they cost accuracy for no
   time); the rest in order of accuracy won back per millisecond INT8 saved there. The fewest
   that meet the budget are found by doubling and bisection (:func:`.search.smallest_passing`)
   on the surgery, then confirmed by up to ``confirm`` real re-quantized builds, in readable rules.
5. **Confirm**: the search ran on two thirds of the samples; the map it settles on is scored on
   the other third, and is confirmed only when the whole 90% bootstrap interval of its drop there
   is within the budget.
6. **Cheapest**: the confirmed candidates and the float artifact are timed in interleaved
   rounds on the device as ``load()`` runs them (text also in batches of 32); a map counts as
   faster only when the interval of its time ratio says so at every batch size. Otherwise
   ``auto`` publishes the float artifact and prints the per-layer numbers that show why.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from ovbuild.errors import RecipeError, StageError
from ovbuild.metrics.gate import within_budget
from ovbuild.precision.layers import classify
from ovbuild.precision.schemes import best_scheme, scheme_label
from ovbuild.precision.scoring import Scorer, budget_checks_config

log = logging.getLogger("ovbuild.precision.auto")
FLOAT_MAP = {"default": "fp32", "rules": []}
#: FP32 that executes at f32 on every device: each node pinned (``DisablePrecisionConversion``).
FLOAT_F32_MAP = {"default": "fp32", "rules": [{"name": ".", "precision": "fp32"}]}
MIN_CONFIRMATION = 10  # confirmation samples below which no budget is resolved


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


def progress(scorer: Scorer, phase: str) -> None:
    """One line per phase of the search, on the console (NNCF's own lines are silenced)."""
    from tqdm import tqdm

    tqdm.write(f"auto [{time.perf_counter() - scorer.started:6.1f}s] {phase}")


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


def cheapest(
    scorer: Scorer,
    passing: list[tuple],
    measure: bool,
    search: dict,
    float_choice: tuple[dict, str, dict],
    min_speedup: float = 1.0,
) -> tuple[dict, str]:
    """Phase 6: the fastest confirmed map if the interval says it beats the float artifact by
    ``min_speedup`` at every batch size, else the float map (said plainly, with per-layer numbers).
    Without timing, the one with the fewest float layers."""
    from ovbuild.runtime.timing import faster

    float_map, float_label, float_props = float_choice
    if not passing:
        log.warning(
            "auto: no precision map meets the budget; publishing %s. Per layer, float vs INT8 on this "
            "device:\n%s", float_label, per_layer_table(search),
        )  # fmt: skip
        return float_map, f"{float_label} (no map meets the budget)"
    if not measure:
        chosen, label, _ = min(passing, key=lambda p: len(p[0]["rules"]))
        return chosen, label
    from ovbuild.precision.latency import candidate_timings

    progress(scorer, f"timing {len(passing)} maps against {float_label} in interleaved rounds")
    fp32 = scorer.ctx.read_model(scorer.parent)
    models = {float_label: (fp32, float_props), **{label: (model, {}) for _, label, model in passing}}
    timed = candidate_timings(scorer, models)
    base = timed[float_label]
    search["timing"] = timing = timing_record(timed, base)
    wins = [p for p in passing if all(faster(timed[p[1]][f], base[f], min_speedup) for f in base)]
    for _, label, _ in passing:
        ratios = [
            f"{f} {t['ratio'][0]:.3f} [{t['ratio'][1]:.3f}, {t['ratio'][2]:.3f}]"
            for f, t in timing[label].items()
        ]
        progress(scorer, f"{label}: time ratio to {float_label} " + ", ".join(ratios))
    if not wins:
        if not search.get("layers"):  # INT8 met the budget at once: the counters show why it is not faster
            from ovbuild.precision.layers import weighted_nodes
            from ovbuild.precision.surgery import layer_groups

            candidate = passing[0][2]
            units = layer_groups(candidate, weighted_nodes(fp32))
            layer_costs(scorer, fp32, candidate, units, search)
        log.warning(
            "auto: no confirmed map is %.2fx faster than %s at every batch size (interval of the "
            "time ratio); publishing %s. Per layer, float vs INT8 on this device:\n%s",
            min_speedup, float_label, float_label, per_layer_table(search),
        )  # fmt: skip
        return float_map, f"{float_label} (no map is faster)"
    chosen, label, _ = min(wins, key=lambda p: max(timing[p[1]][f]["ratio"][0] for f in base))
    return chosen, label


def timing_record(timed: dict[str, dict[str, Any]], base: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``search.timing``: per map and feed, the median, its interval, the rounds and
    the time ratio (with its interval) to the float artifact's ``base`` timings."""
    from ovbuild.runtime.timing import ratio_interval

    return {
        label: {
            feed: {
                "median_ms": round(t.median_ms, 4),
                "interval_ms": [round(t.low_ms, 4), round(t.high_ms, 4)],
                "rounds_ms": [round(x, 4) for x in t.round_ms],
                "ratio": [round(x, 4) for x in ratio_interval(t, base[feed])],
            }
            for feed, t in feeds.items()
        }
        for label, feeds in timed.items()
    }


def per_layer_table(search: dict) -> str:
    """The per-layer numbers that show why no map was published (time from the counters,
    accuracy won back by restoring the layer from the sensitivity ranking)."""
    from ovbuild.precision.profile import table

    if not search.get("layers"):
        return "  (no per-layer counters: INT8 met the budget, or timing is off)"
    return table(search["layers"], dict(search.get("sensitivity") or []))


def float_choice(scorer: Scorer, max_drop: float, search: dict) -> tuple[dict, str, dict]:
    """Phase 0: ``(map, label, compile properties)`` of the float artifact to publish or beat.

    The device's default float when it meets the budget; otherwise, said plainly, FP32 pinned to
    f32 execution in the IR (every node), so the label never runs as something else.
    """
    floor, _ = scorer.trial("fp32 at f32", FLOAT_MAP, {"INFERENCE_PRECISION_HINT": "f32"})
    if not within_budget(floor, max_drop):
        raise StageError(
            f"precision.accuracy.max_drop: impossible budget {max_drop}: even FP32 executed at f32 "
            f"has a drop of {floor:.6g} ({', '.join(search['checks'])})"
        )
    model = scorer.ctx.read_model(scorer.parent)
    runs_as = scorer.ctx.core.compile_model(model, "CPU", scorer.props).get_property(
        "INFERENCE_PRECISION_HINT"
    )
    runs_as = str(runs_as.get_type_name() if hasattr(runs_as, "get_type_name") else runs_as)
    search["device_float"] = runs_as
    if runs_as == "f32":  # the floor is what load() runs: recorded, not run twice
        scorer.trials.append({"candidate": "fp32 as load() runs it (f32)", "drop": round(floor, 6)})
        return FLOAT_MAP, "fp32", {}
    value, _ = scorer.trial(f"fp32 as load() runs it ({runs_as})", FLOAT_MAP)
    if within_budget(value, max_drop):
        return FLOAT_MAP, f"fp32 (runs as {runs_as})", {}
    log.warning(
        "auto: the float artifact as this device runs it (%s) misses the budget (drop %.5g > %.5g); "
        "float layers and the float fallback execute at f32 (pinned in the IR)", runs_as, value, max_drop,
    )  # fmt: skip
    search["device_float_misses"] = round(value, 6)
    return FLOAT_F32_MAP, "fp32 pinned to f32", {"INFERENCE_PRECISION_HINT": "f32"}


def split_samples(samples: list[dict], budget: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """``(search, confirmation)``: every third sample confirms. Refused when too few to confirm."""
    if not samples:
        raise StageError("precision.default=auto needs calibration data; add a calibration group")
    confirmation = samples[2::3]
    search = [s for i, s in enumerate(samples) if i % 3 != 2]
    if len(confirmation) < MIN_CONFIRMATION:
        raise RecipeError(
            f"precision.accuracy.samples: {len(samples)} calibration samples leave {len(confirmation)} to "
            f"confirm the map on, too few to resolve a budget (at least {MIN_CONFIRMATION}); raise "
            f"calibration.samples and precision.accuracy.samples to at least {3 * MIN_CONFIRMATION}"
        )
    return search, confirmation


def select_map(
    ctx: Any,
    parent: Any,
    cfg: dict[str, Any],
    validate: dict[str, Any],
    properties: dict[str, Any],
    calibration: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Search the cheapest map whose drop on calibration samples is at most ``max_drop``.

    ``validate`` is the recipe's validate block (the checks are scored with it) and ``properties``
    the compile properties that set the device's numerics (candidates compile with them): both
    are in the compress stage's config, so its key changes with them. Of ``calibration`` (the
    ``calibrate`` stage's samples) the first ``accuracy.samples`` score; all calibrate candidates.

    Returns:
        ``(map, search)``: ``map`` is ``{"default", "rules"}`` to pin in a recipe; ``search``
        records the checks, budget, per-layer costs, sensitivity, trials, confirmation and timings.

    Raises:
        RecipeError: no ``accuracy.max_drop``, or too few samples to confirm a map.
        StageError: no calibration data, or an impossible budget.
    """
    budget = _budget(cfg)
    max_drop = float(budget["max_drop"])
    tuning, confirmation = split_samples(calibration[: budget.get("samples") or 100], budget)
    with quiet_nncf():
        checks_cfg = budget_checks_config(validate, budget)
        scorer = Scorer(ctx, parent, cfg, tuning, checks_cfg, confirmation, properties, calibration)
        scorer.started = time.perf_counter()
        search: dict[str, Any] = {
            "metric": scorer.checks_cfg["metric"],
            "checks": [c.name for c in scorer.checks],
            "max_drop": max_drop,
            "samples": {"search": len(tuning), "confirmation": len(confirmation)},
        }
        progress(scorer, "float: FP32 at f32 and as load() runs it")
        float_map, float_label, float_props = float_choice(scorer, max_drop, search)
        scorer.float_props = {**scorer.props, **float_props}
        fallback = "fp32" if float_props else (budget.get("fallback") or "fp16")
        passing = []
        full = {"default": "int8", "rules": []}
        progress(scorer, "full INT8")
        value, int8_model = scorer.trial("int8", full)
        scheme: dict[str, Any] = {}
        if not within_budget(value, max_drop) and budget.get("schemes", True):
            progress(scorer, "quantization schemes (preset, ranges, bias correction)")
            classes = classify(scorer.ctx.read_model(scorer.parent)).values()
            transformer = any("attention" in c for c in classes)
            scheme, value, int8_model = best_scheme(scorer, value, int8_model, cfg, transformer, search)
            full = {**full, **scheme}
        label = scheme_label(scheme)
        if within_budget(value, max_drop) and confirmed(scorer, label, int8_model, max_drop, search):
            passing.append((full, label, int8_model))
        else:
            mixed = search_mixed(scorer, int8_model, budget, search, fallback, scheme)
            if mixed is not None:
                passing.append(mixed)
        measure = bool(budget.get("measure_latency", True))
        min_speedup = float(budget.get("min_speedup") or 1.0)
        chosen, label = cheapest(
            scorer, passing, measure, search, (float_map, float_label, float_props), min_speedup
        )
    search.update(chosen=label, trials=scorer.trials)
    progress(scorer, f"chose {label}")
    return chosen, search


@contextlib.contextmanager
def quiet_nncf():
    """NNCF's INFO lines (one per statistics pass and algorithm) would bury the search's progress."""
    nncf_log = logging.getLogger("nncf")
    level = nncf_log.level
    nncf_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        nncf_log.setLevel(level)
