"""Phase 6 of ``precision: auto``: of the confirmed maps and the float artifact, the one to publish.

The candidates are timed together in interleaved rounds as ``load()`` runs them; a map wins only
when the interval of its time ratio to the float artifact says it is faster at every batch size.
"""

from __future__ import annotations

import logging
from typing import Any

from ovbuild.precision.mixed_search import layer_costs
from ovbuild.precision.scoring import Scorer
from ovbuild.precision.search_log import per_layer_table, progress

log = logging.getLogger("ovbuild.precision.auto")


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
