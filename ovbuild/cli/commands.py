"""The small sub-commands: validate, ls, show, bench, doctor, gc."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ovbuild.errors import RecipeError


def validate(overrides: list[str]) -> int:
    from ovbuild.config import load_recipe

    try:
        recipe = load_recipe(overrides)
    except RecipeError as exc:
        print(f"ovbuild: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"ok: recipe {recipe['name']!r} is valid ({recipe['source']['kind']} source, "
        f"precision {recipe['precision']['default']}, devices {recipe['device']['priorities']})"
    )
    return 0


def _store(args: argparse.Namespace):
    from ovbuild.store import ArtifactStore

    return ArtifactStore(Path(args.store).resolve())


def ls(args: argparse.Namespace) -> int:
    store = _store(args)
    names = store.names()
    if not names:
        print(f"no artifacts in {store.root}")
        return 0
    print(f"{'name':24s} {'versions':>8s} {'latest':>6s}  key")
    for name in names:
        versions = store.versions(name)
        latest = max(versions, key=lambda v: v["version"])
        print(f"{name:24s} {len(versions):8d} {latest['version']:6d}  {latest['key'][:16]}")
    return 0


def _manifest(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    path = _store(args).resolve(args.artifact)
    return path, json.loads((path / "manifest.json").read_text())


def precision_table(manifest: dict[str, Any]) -> list[str]:
    lines = []
    for device, blob in manifest.get("blobs", {}).items():
        table = blob["runtime_precisions"]
        precisions = sorted({p for row in table.values() for p in row})
        lines.append(f"runtime precision per layer type on {device} (read back from the compiled model):")
        lines.append(f"  {'layer type':28s}" + "".join(f"{p:>8s}" for p in precisions))
        for layer, row in sorted(table.items()):
            lines.append(f"  {layer:28s}" + "".join(f"{row.get(p, 0):8d}" for p in precisions))
    return lines


def show(args: argparse.Namespace) -> int:
    from ovbuild.stages import default_stages

    path, m = _manifest(args)
    notes = {s.name: s.passthrough_note for s in default_stages() if s.passthrough_note}
    print(f"{m['name']} at {path}")
    print(f"  {m.get('description', '')}")
    print(f"  source {m['recipe']['source']['kind']}: {m['recipe']['source'].get('path')}")
    print(
        f"  precision {m['recipe']['precision']['default']}; size {m['metrics']['size_bytes'] / 1e6:.2f} MB"
    )
    print("stages:")
    order = [s.name for s in default_stages()]
    for name, key in sorted(
        m["stage_keys"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        note = f"  ({notes[name]})" if name in notes else ""
        print(f"  {name:11s} {key[:16]}{note}")
    print("inputs:")
    for p in m["inputs"]:
        print(f"  {p['name']:20s} {p['type']:8s} {p['shape']}")
    print("outputs:")
    for p in m["outputs"]:
        print(f"  {p['name']:20s} {p['type']:8s} {p['shape']}")
    plan = m["device_plan"]
    print(f"devices: requested {plan['requested']} -> {plan['device']} {plan['properties']}")
    for warning in plan.get("warnings", []):
        print(f"  warning: {warning}")
    compress = m.get("stages", {}).get("compress") or {}
    if compress.get("map"):
        chosen = compress["map"]
        print(
            f"precision map: default {chosen['default']}, {len(chosen.get('rules') or [])} rules"
            f"{' (chosen by the accuracy search; pin it in the recipe)' if compress.get('search') else ''}"
        )
        for rule in chosen.get("rules") or []:
            print(f"  - {json.dumps(rule, sort_keys=True)}")
        if compress.get("weighted_layers"):
            print(f"  weighted layers per precision: {compress['weighted_layers']}")
    for line in precision_table(m):
        print(line)
    for name, value in (m["metrics"].get("accuracy") or {}).items():
        print(f"accuracy {name}: {value:.6f}")
    if m["metrics"].get("bench"):
        print(f"bench: {m['metrics']['bench']}")
    return 0


def bench(args: argparse.Namespace) -> int:
    from ovbuild.bench import bench_artifact

    path = _store(args).resolve(args.artifact)
    # bench_artifact prints the table, or the JSON report with --json.
    bench_artifact(path, compare=args.compare, json=args.json, seconds=args.seconds, write=args.write)
    return 0


def doctor(args: list[str]) -> int:
    from ovbuild.doctor import doctor_report, format_doctor

    report = doctor_report()
    print(json.dumps(report, indent=2, default=str) if "--json" in args else format_doctor(report))
    return 0


def gc(args: argparse.Namespace) -> int:
    """Keep the newest ``--keep`` versions per name; drop cache entries no kept version uses."""
    from ovbuild.store import StageCache
    from ovbuild.store.fs import remove_tree

    store = _store(args)
    cache = StageCache(Path(args.store).resolve())
    referenced: set[str] = set()
    removed_versions = 0
    for name in store.names():
        versions = sorted(store.versions(name), key=lambda v: v["version"], reverse=True)
        for old in versions[args.keep :]:
            removed_versions += 1
            if not args.dry_run:
                store.remove_version(name, old["version"])
        for kept in versions[: args.keep]:
            manifest = store.root / name / str(kept["version"]) / "manifest.json"
            if manifest.exists():
                referenced |= set(json.loads(manifest.read_text())["stage_keys"].values())
    removed_entries = 0
    for entry in cache.entries():
        if entry.name not in referenced:
            removed_entries += 1
            if not args.dry_run:
                remove_tree(entry)
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {removed_versions} artifact versions and {removed_entries} cache entries")
    return 0
