"""``ovbuild report``: rewrite a finished sweep's report from its records and manifests."""

from __future__ import annotations

import argparse

from ovbuild.cli.subcommand import Subcommand


class Report(Subcommand):
    name = "report"
    order = 70
    help = "rewrite a sweep's report.md, report.csv and pareto.png"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "sweep_dir",
            help="the sweep's report dir (<store>/sweeps/<id>) or Hydra's multirun dir "
            "(<store>/runs/multirun/<id>)",
        )
        parser.add_argument(
            "--bench", type=float, default=2.0, help="seconds per variant when measuring (default: 2)"
        )
        parser.add_argument("--remeasure", action="store_true", help="measure latency again")

    def run(self, args: argparse.Namespace) -> int:
        """0, or 1 when the sweep has failed variants (they are listed in the report)."""
        from ovbuild.sweeps.report import regenerate

        result = regenerate(args.sweep_dir, bench_seconds=args.bench, remeasure=args.remeasure)
        print(f"{result.report_dir / 'report.md'}: {len(result.rows)} variants, {len(result.failed)} failed")
        for row in result.failed:
            print(f"  failed: {row['variant']}: {row['error']}")
        return 1 if result.failed else 0
