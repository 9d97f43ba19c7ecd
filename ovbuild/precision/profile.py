"""What each layer costs on the device, read from OpenVINO's per-node performance counters.

A candidate is compiled with ``PERF_COUNT`` (one thread), run a few times, and every executed
node's ``real_time`` (median over runs, each run's own time recovered from the running mean the
counters report) is charged to a *unit* of the search: the runtime node's
``originalLayersNames`` name the graph nodes it fused (a convolution with its FakeQuantize, bias
and activation), and nodes the plugin inserted itself (``Reorder``/``Convert`` at precision
boundaries) are charged to the unit they feed, so an INT8 layer's conversions count against it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

CONVERSIONS = frozenset({"Reorder", "Convert"})


def owners(model: Any, units: dict[str, list[str]]) -> dict[str, str]:
    """``{graph node: unit}`` for every unit member and the FakeQuantize nodes feeding one."""
    owner = {m: unit for unit, members in units.items() for m in members}
    for node in model.get_ordered_ops():
        if node.get_type_name() != "FakeQuantize":
            continue
        for target in node.output(0).get_target_inputs():
            unit = owner.get(target.get_node().get_friendly_name())
            if unit is not None:
                owner.setdefault(node.get_friendly_name(), unit)
                break
    return owner


def _text(rt: Any, key: str) -> str | None:
    """A runtime-info string (``str()`` of an ``OVAny`` prints its class, not its value)."""
    return rt[key].astype(str) if key in rt else None


def _runtime_unit(runtime: Any, owner: dict[str, str]) -> dict[str, tuple[str | None, bool]]:
    """``{runtime node: (unit or None, is a conversion)}``; a conversion the plugin inserted takes
    the unit of the first owned node downstream (a Reorder feeds the layer that needed it)."""
    info: dict[str, tuple[str | None, str, list]] = {}
    for node in runtime.get_ordered_ops():
        rt = node.get_rt_info()
        names = _text(rt, "originalLayersNames") or ""
        kind = _text(rt, "layerType") or node.get_type_name()
        unit = next((owner[n] for n in names.split(",") if n in owner), None)
        consumers = [t.get_node().get_friendly_name() for o in node.outputs() for t in o.get_target_inputs()]
        info[node.get_friendly_name()] = (unit, kind, consumers)
    out = {}
    for name, (unit, kind, consumers) in info.items():
        seen, queue = set(), list(consumers) if kind in CONVERSIONS else []
        while unit is None and queue and len(seen) < 8:
            nxt = queue.pop(0)
            if nxt in seen or nxt not in info:
                continue
            seen.add(nxt)
            unit = info[nxt][0]
            queue.extend(info[nxt][2])
        out[name] = (unit, kind in CONVERSIONS)
    return out


def per_run(means: list[float]) -> list[float]:
    """Each run's time from the running means the counters report after each run."""
    totals = [m * (k + 1) for k, m in enumerate(means)]
    return [totals[0]] + [b - a for a, b in zip(totals, totals[1:], strict=False)]


def unit_costs(
    core: Any,
    model: Any,
    props: dict[str, Any],
    sample: dict[str, Any],
    owner: dict[str, str],
    runs: int = 15,
) -> dict[str, dict[str, float]]:
    """``{unit: {"ms", "convert_ms"}}`` of ``model`` on the CPU with ``props`` (the device's
    default precision unless they say otherwise), plus ``"(other)"`` for nodes of no unit and
    ``"(total)"`` for the whole request."""
    # One thread: with two, a node's time includes waiting for the other thread whenever another
    # process holds its core, which on a loaded machine swamps the layer's own cost.
    settings = {**props, "PERF_COUNT": True, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": 1}
    compiled = core.compile_model(model, "CPU", settings)
    request = compiled.create_infer_request()
    means: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs + 1):
        request.infer(sample)
        for info in request.get_profiling_info():
            means[info.node_name].append(info.real_time.total_seconds() * 1e3)
    # The counters report each node's mean over every run so far: one slow run (another process
    # took the core) would stay in it. Each run's own time is the difference of running totals;
    # the first run warms up.
    times = {name: per_run(values)[1:] for name, values in means.items()}
    where = _runtime_unit(compiled.get_runtime_model(), owner)
    costs: dict[str, dict[str, float]] = defaultdict(lambda: {"ms": 0.0, "convert_ms": 0.0})
    for name, values in times.items():
        unit, conversion = where.get(name, (None, False))
        ms = statistics.median(values) if values else 0.0
        entry = costs[unit or "(other)"]
        entry["ms"] += ms
        if conversion:
            entry["convert_ms"] += ms
        costs["(total)"]["ms"] += ms
    return {u: {k: round(v, 4) for k, v in c.items()} for u, c in costs.items()}


def savings(float_costs: dict, int8_costs: dict) -> dict[str, dict[str, float]]:
    """``{unit: {"float_ms", "int8_ms", "int8_convert_ms", "saved_ms"}}``: what keeping each unit
    in INT8 saves against the float artifact (negative: INT8 is slower there)."""
    out = {}
    for unit in sorted(set(float_costs) | set(int8_costs)):
        f = float_costs.get(unit, {}).get("ms", 0.0)
        q = int8_costs.get(unit, {"ms": 0.0, "convert_ms": 0.0})
        out[unit] = {
            "float_ms": round(f, 4),
            "int8_ms": round(q["ms"], 4),
            "int8_convert_ms": round(q["convert_ms"], 4),
            "saved_ms": round(f - q["ms"], 4),
        }
    return out


def table(saved: dict[str, dict[str, float]], gains: dict[str, float] | None = None, limit: int = 15) -> str:
    """The per-layer numbers, most time first: what a person reads when no map beats float."""
    gains = gains or {}
    rows = sorted(saved.items(), key=lambda kv: -max(kv[1]["float_ms"], kv[1]["int8_ms"]))
    lines = [
        f"  {'unit':60s} {'float ms':>9s} {'int8 ms':>9s} {'of it cvt':>9s} {'saved':>8s} {'acc. won':>9s}"
    ]
    for unit, c in rows[:limit]:
        gain = f"{gains[unit]:9.5f}" if unit in gains else f"{'':9s}"
        lines.append(
            f"  {unit[-60:]:60s} {c['float_ms']:9.4f} {c['int8_ms']:9.4f} {c['int8_convert_ms']:9.4f} "
            f"{c['saved_ms']:8.4f} {gain}"
        )
    return "\n".join(lines)
