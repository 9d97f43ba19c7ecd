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
        print(f"{'name':24s} {'version':>7s}  {'variant':18s} {'runs in':8s} key")
        for name in names:
            for entry in sorted(store.versions(name), key=lambda v: v["version"], reverse=True):
                variant, runs = _variant(store.root / name / str(entry["version"]))
                print(f"{name:24s} {entry['version']:7d}  {variant:18s} {runs:8s} {entry['key'][:16]}")
        print("latest of a variant: NAME@VARIANT (ovbuild show minilm@int8)")
        return 0


def _variant(path: Path) -> tuple[str, str]:
    """(variant label, the precision the first device runs) from a version's manifest."""
    try:
        manifest = Manifest.read(path)
    except ArtifactIntegrityError:
        return "?", "?"
    runs = [b.get("inference_precision", "?") for b in manifest.blobs.values()]
    return manifest.label, (runs[0] if runs else "-")
