"""``ovbuild gc``: drop old artifact versions and the cache entries nothing kept uses."""

from __future__ import annotations

import argparse
import json

from ovbuild.cli.options import add_store_option, store_root
from ovbuild.cli.subcommand import Subcommand


class Collect(Subcommand):
    name = "gc"
    order = 60
    help = "drop old versions and unreferenced cache entries"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--keep", type=int, default=3, help="versions kept per name (default: 3)")
        parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Keep the newest ``--keep`` versions per name; drop cache entries no kept version uses."""
        from ovbuild.store import ArtifactStore, StageCache
        from ovbuild.store.fs import remove_tree

        root = store_root(args)
        store, cache = ArtifactStore(root), StageCache(root)
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
