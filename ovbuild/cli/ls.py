"""``ovbuild ls``: the artifacts in the store."""

from __future__ import annotations

import argparse

from ovbuild.cli.options import add_store_option, store_root
from ovbuild.cli.subcommand import Subcommand


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
        print(f"{'name':24s} {'versions':>8s} {'latest':>6s}  key")
        for name in names:
            versions = store.versions(name)
            latest = max(versions, key=lambda v: v["version"])
            print(f"{name:24s} {len(versions):8d} {latest['version']:6d}  {latest['key'][:16]}")
        return 0
