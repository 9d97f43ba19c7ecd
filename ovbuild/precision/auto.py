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

This module holds phases 0 and 1 (with the quantization schemes of :mod:`.schemes` when plain
INT8 misses) and runs them all; :mod:`.mixed_search` holds phases 2-5, :mod:`.cheapest` phase 6,
:mod:`.search_log` the console lines both print.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from ovbuild.errors import RecipeError, StageError
from ovbuild.metrics.gate import within_budget
from ovbuild.precision.cheapest import cheapest
from ovbuild.precision.layers import classify, has_attention
from ovbuild.precision.mixed_search import confirmed, fallback_map, knapsack_order, search_mixed
from ovbuild.precision.schemes import best_scheme, scheme_label
from ovbuild.precision.scoring import Scorer, budget_checks_config
from ovbuild.precision.search_log import progress

# fallback_map and knapsack_order: imported from here by callers and tests
__all__ = ["FLOAT_F32_MAP", "FLOAT_MAP", "MIN_CONFIRMATION", "fallback_map", "knapsack_order", "select_map"]

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
        passing = int8_candidates(scorer, cfg, budget, search, fallback)
        measure = bool(budget.get("measure_latency", True))
        min_speedup = float(budget.get("min_speedup") or 1.0)
        chosen, label = cheapest(
            scorer, passing, measure, search, (float_map, float_label, float_props), min_speedup
        )
    search.update(chosen=label, trials=scorer.trials)
    progress(scorer, f"chose {label}")
    return chosen, search


def int8_candidates(
    scorer: Scorer, cfg: dict[str, Any], budget: dict[str, Any], search: dict, fallback: str
) -> list[tuple]:
    """Phase 1 and, when it misses, phases 2-5: ``[(map, label, model)]`` of the confirmed INT8
    map (with the best quantization scheme when plain INT8 misses the budget), else of the
    smallest confirmed mixed map; empty when neither is found."""
    max_drop = float(budget["max_drop"])
    full = {"default": "int8", "rules": []}
    progress(scorer, "full INT8")
    value, int8_model = scorer.trial("int8", full)
    scheme: dict[str, Any] = {}
    if not within_budget(value, max_drop) and budget.get("schemes", True):
        progress(scorer, "quantization schemes (preset, ranges, bias correction)")
        transformer = has_attention(classify(scorer.ctx.read_model(scorer.parent)))
        scheme, value, int8_model = best_scheme(scorer, value, int8_model, cfg, transformer, search)
        full = {**full, **scheme}
    label = scheme_label(scheme)
    if within_budget(value, max_drop) and confirmed(scorer, label, int8_model, max_drop, search):
        return [(full, label, int8_model)]
    mixed = search_mixed(scorer, int8_model, budget, search, fallback, scheme)
    return [] if mixed is None else [mixed]


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
