"""``ovbuild ls``: the artifacts in the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from ovbuild.cli.options import add_store_option, store_root
from ovbuild.cli.subcommand import Subcommand
from ovbuild.runtime.integrity import ArtifactIntegrityError
from ovbuild.runtime.manifest import Manifest


class List(Subcommand):
    name = "ls"
    order = 30
    help = "list the artifacts in the store"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.store import ArtifactStore

        store = ArtifactStore(store_root(args))
        names = store.names()
        if not names:
            print(f"no artifacts in {store.root} (set --store or $OVBUILD_STORE to use another store)")
            return 0
        print(f"{'name':24s} {'version':>7s}  {'variant':18s} {'runs in (share of compute layers)':34s} key")
        for name in names:
            for entry in sorted(store.versions(name), key=lambda v: v["version"], reverse=True):
                variant, runs = _variant(store.root / name / str(entry["version"]))
                print(f"{name:24s} {entry['version']:7d}  {variant:18s} {runs:34s} {entry['key'][:16]}")
        print("latest of a variant: NAME@VARIANT (ovbuild show minilm@int8)")
        return 0


# Layers that move or view data rather than compute, and element types of indices and masks:
# counting them would make every model look mostly f32 or i32.
_NOT_COMPUTE = frozenset({"Reorder", "Reshape", "Input", "Output", "Parameter", "Result", "Constant"})
_NUMERIC = {
    "u8": "int8",
    "i8": "int8",
    "u4": "int4",
    "i4": "int4",
    "bf16": "bf16",
    "f16": "f16",
    "f32": "f32",
}


def runtime_mix(blob: dict) -> str:
    """The precisions a compiled blob really executes, as shares of its compute layers
    (``int8 56%, f32 44%``), read from the layer precisions the precompile stage recorded."""
    totals: dict[str, int] = {}
    for layer, per_precision in (blob.get("runtime_precisions") or {}).items():
        if layer in _NOT_COMPUTE:
            continue
        for precision, n in per_precision.items():
            if precision in _NUMERIC:
                totals[_NUMERIC[precision]] = totals.get(_NUMERIC[precision], 0) + n
    count = sum(totals.values())
    if not count:
        return str(blob.get("inference_precision", "?"))
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{p} {100 * n / count:.0f}%" for p, n in ranked)


def _variant(path: Path) -> tuple[str, str]:
    """(variant label, the precision mix the first device runs) from a version's manifest."""
    try:
        manifest = Manifest.read(path)
    except ArtifactIntegrityError:
        return "?", "?"
    blobs = list(manifest.blobs.items())
    if not blobs:
        return manifest.label, "-"
    device, blob = blobs[0]
    return manifest.label, f"{device}: {runtime_mix(blob)}"
