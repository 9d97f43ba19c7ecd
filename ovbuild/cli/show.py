"""``ovbuild show``: the manifest of an artifact, readable."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ovbuild.cli.options import add_store_option, resolve_artifact
from ovbuild.cli.subcommand import Subcommand
from ovbuild.runtime.manifest import Manifest


def precision_table(manifest: Manifest) -> list[str]:
    """Runtime precision per layer type and device, as read back from the compiled model."""
    lines = []
    for device, blob in manifest.blobs.items():
        table = blob["runtime_precisions"]
        precisions = sorted({p for row in table.values() for p in row})
        lines.append(f"runtime precision per layer type on {device} (read back from the compiled model):")
        lines.append(f"  {'layer type':28s}" + "".join(f"{p:>8s}" for p in precisions))
        for layer, row in sorted(table.items()):
            lines.append(f"  {layer:28s}" + "".join(f"{row.get(p, 0):8d}" for p in precisions))
    return lines


def _stage_lines(m: Manifest) -> list[str]:
    from ovbuild.stages import default_stages

    stages = default_stages()
    notes = {s.name: s.passthrough_note for s in stages if s.passthrough_note}
    order = [s.name for s in stages]
    lines = ["stages:"]
    for name, key in sorted(
        m.stage_keys.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        note = f"  ({notes[name]})" if name in notes else ""
        lines.append(f"  {name:11s} {key[:16]}{note}")
    return lines


def _precision_map_lines(m: Manifest) -> list[str]:
    compress = m.stages.get("compress") or {}
    if not compress.get("map"):
        return []
    chosen = compress["map"]
    searched = " (chosen by the accuracy search; pin it in the recipe)" if compress.get("search") else ""
    lines = [f"precision map: default {chosen['default']}, {len(chosen.get('rules') or [])} rules{searched}"]
    scheme = {k: v for k, v in chosen.items() if k not in ("default", "rules")}
    if scheme:
        lines.append(f"  scheme: {', '.join(f'{k}={v}' for k, v in scheme.items())}")
    lines += [f"  - {json.dumps(rule, sort_keys=True)}" for rule in chosen.get("rules") or []]
    if compress.get("weighted_layers"):
        lines.append(f"  weighted layers per precision: {compress['weighted_layers']}")
    return lines + _search_lines(compress.get("search") or {})


def _search_lines(search: dict[str, Any]) -> list[str]:
    """What ``precision: auto`` tried and the figures that decided: trials, confirmation, timings."""
    if not search:
        return []
    samples = search.get("samples")
    lines = [
        f"accuracy search: chose {search.get('chosen')}; budget {search.get('max_drop')} on "
        f"{', '.join(search.get('checks') or [])}; samples {samples}; "
        f"device float {search.get('device_float', '?')}"
    ]
    lines += [f"  trial {t['candidate']}: drop {t['drop']}" for t in search.get("trials") or []]
    for label, c in (search.get("confirmation") or {}).items():
        lines.append(
            f"  confirmed {label} on {c['samples']} unseen samples: drop {c['drop']} "
            f"(90% interval {c['low']} to {c['high']})"
        )
    for label, feeds in (search.get("timing") or {}).items():
        shown = ", ".join(
            f"{feed} {t['median_ms']} ms, ratio {t['ratio'][0]} [{t['ratio'][1]}, {t['ratio'][2]}]"
            for feed, t in feeds.items()
        )
        lines.append(f"  timed {label}: {shown}")
    layers = search.get("layers") or {}
    if layers:
        top = sorted(layers.items(), key=lambda kv: -max(kv[1]["float_ms"], kv[1]["int8_ms"]))[:10]
        lines.append("  per-layer time (performance counters), float vs int8 ms, the 10 costliest:")
        lines += [f"    {u[-60:]:60s} {c['float_ms']:8.4f} {c['int8_ms']:8.4f}" for u, c in top]
    return lines


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        return {k: v for key, item in value.items() for k, v in _leaves(item, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): value}


def recipe_overrides(manifest: Manifest) -> list[str] | None:
    """``key=value`` for every recipe value that differs from the recipe file of the same name
    (what the build's overrides changed), or ``None`` when no such recipe file is found."""
    from ovbuild.config import known_recipes, load_recipe
    from ovbuild.errors import OvbuildError

    name = manifest.name
    if name not in known_recipes():
        return None
    try:
        base = _leaves(load_recipe([f"recipe={name}"]))
    except OvbuildError:
        return None
    built = _leaves(manifest.recipe)
    skip = ("store.", "name")
    return [
        f"{k}={json.dumps(v)}"
        for k, v in sorted(built.items())
        # a key the recipe lacks and the build left empty is a schema default, not an override
        if not k.startswith(skip) and base.get(k, None) != v and (k in base or v not in ({}, [], None))
    ]


def format_manifest(path: Any, m: Manifest) -> list[str]:
    """The lines ``ovbuild show`` prints."""
    lines = [
        f"{m.name} at {path}",
        f"  {m.description}",
        f"  source {m.source.get('kind')}: {m.source.get('path')}",
        f"  precision {m.precision}; size {m.metrics.get('size_bytes', 0) / 1e6:.2f} MB",
        *_stage_lines(m),
        "inputs:",
        *(f"  {p['name']:20s} {p['type']:8s} {p['shape']}" for p in m.inputs),
        "outputs:",
        *(f"  {p['name']:20s} {p['type']:8s} {p['shape']}" for p in m.outputs),
    ]
    if m.variant:
        lines.append(f"variant {m.label} (select the latest with {m.name}@{m.label})")
        overrides = recipe_overrides(m)
        if overrides is not None:
            lines.append(f"  overrides vs recipe {m.name!r}: {' '.join(overrides) or 'none'}")
    if m.labels:
        lines.append(f"labels ({len(m.labels)}): {', '.join(m.labels)}")
    plan = m.device_plan
    lines.append(f"devices: requested {plan['requested']} -> {plan['device']} {plan['properties']}")
    lines += [f"  warning: {w}" for w in plan.get("warnings", [])]
    lines += _precision_map_lines(m)
    lines += precision_table(m)
    from ovbuild.metrics.registry import accuracy_lines

    lines += accuracy_lines(m.metrics.get("accuracy") or {})
    if m.metrics.get("bench"):
        lines.append(f"bench: {m.metrics['bench']}")
    return lines


class Show(Subcommand):
    name = "show"
    order = 40
    help = "an artifact's manifest: stages, inputs, outputs, devices, precisions, accuracy"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "artifact",
            help="NAME (its latest version), NAME@VARIANT (the latest of a variant, e.g. minilm@int8), "
            "NAME/VERSION or an artifact directory",
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:

        path = resolve_artifact(args)
        manifest = Manifest.read(path)
        print("\n".join(format_manifest(path, manifest)))
        return 0
