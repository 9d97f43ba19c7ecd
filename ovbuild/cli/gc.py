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
        parser.add_argument(
            "--keep",
            default="3",
            help="versions kept per name, >= 1 (default: 3); the newest version of every variant and "
            "every version a sweep report links to are kept too",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed, remove nothing"
        )
        parser.add_argument(
            "--grace",
            default="3600",
            help="seconds, >= 0, before temp dirs and idle lock files of killed builds are removed "
            "(default: 3600)",
        )
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Keep the newest ``--keep`` versions per name and whatever running builds hold."""
        from ovbuild.store.gc import check_arguments, collect

        keep, grace = _number(args.keep, int), _number(args.grace, float)
        check_arguments(keep, grace)  # before the store is even opened
        done = collect(store_root(args), keep=keep, grace=grace, dry_run=args.dry_run)
        if args.dry_run:
            for path in done.paths:
                print(f"would remove {path}")
        print(done.summary(args.dry_run))
        return 0


def _number(text: str, kind: type) -> object:
    """``text`` as ``kind``, or ``text`` itself for :func:`check_arguments` to name."""
    try:
        return kind(text)
    except ValueError:
        return text
