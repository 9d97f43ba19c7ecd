"""``ovbuild doctor``: what this machine can do."""

from __future__ import annotations

import argparse

from ovbuild.cli.subcommand import Subcommand


class Doctor(Subcommand):
    name = "doctor"
    order = 80
    help = "devices, their precisions, optional libraries and active fallbacks"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def run(self, args: argparse.Namespace) -> int:
        import json

        from ovbuild.doctor import doctor_report, format_doctor

        report = doctor_report()
        print(json.dumps(report, indent=2, default=str) if args.json else format_doctor(report))
        return 0
