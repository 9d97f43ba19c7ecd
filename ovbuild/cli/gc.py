"""``ovbuild gc``: drop old artifact versions, unreferenced cache entries and leftovers of killed builds."""

from __future__ import annotations

import argparse

from ovbuild.cli.options import add_store_option, store_root
from ovbuild.cli.subcommand import Subcommand


class Collect(Subcommand):
    name = "gc"
    order = 60
    help = "drop old versions, unreferenced cache entries and leftovers of killed builds"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--keep", type=int, default=3, help="versions kept per name (default: 3)")
        parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
        parser.add_argument(
            "--grace",
            type=float,
            default=3600.0,
            help="seconds before temp dirs and idle lock files of killed builds are removed (default: 3600)",
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Keep the newest ``--keep`` versions per name and whatever running builds hold."""
        from ovbuild.store.gc import collect

        done = collect(store_root(args), keep=args.keep, grace=args.grace, dry_run=args.dry_run)
        print(done.summary(args.dry_run))
        return 0
