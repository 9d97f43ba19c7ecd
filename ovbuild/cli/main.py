"""``ovbuild`` entry point: dispatches to the sub-commands; turns user errors into one line, exit 2."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ovbuild.errors import OvbuildError

USAGE = """usage: ovbuild COMMAND [ARGS]

commands:
  build [-m] OVERRIDES...     build a recipe (Hydra overrides: recipe=NAME precision=fp16 ...)
  validate OVERRIDES...       check a recipe without building; lists every problem
  ls                          list artifacts in the store
  show ARTIFACT               manifest summary of NAME, NAME/VERSION or a directory
  bench ARTIFACT              latency/throughput (--compare, --json)
  doctor                      devices, optional libraries, active fallbacks
  check [--run-all]           self-test: build and run small real artifacts (--test-audio
                              [--audio-file F], --test-mixed-precision, --test-multi-device, --model M)
  gc                          drop old versions and unreferenced cache entries
  report SWEEP_DIR            rewrite a sweep's report.md/report.csv/pareto.png (--bench S, --remeasure)
options for ls/show/bench/gc: --store ROOT (default: outputs); everywhere: --verbose
"""


def _store_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"ovbuild {prog}")
    parser.add_argument("--store", default="outputs", help="store root (default: outputs)")
    return parser


def _dispatch(command: str, args: list[str]) -> int:
    from ovbuild.cli import commands

    if command == "build":
        from ovbuild.cli.build import main as build_main

        return build_main(args)
    if command == "validate":
        return commands.validate(args)
    if command == "ls":
        return commands.ls(_store_parser("ls").parse_args(args))
    if command == "show":
        parser = _store_parser("show")
        parser.add_argument("artifact")
        return commands.show(parser.parse_args(args))
    if command == "bench":
        parser = _store_parser("bench")
        parser.add_argument("artifact")
        parser.add_argument("--compare", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--seconds", type=float, default=5.0)
        parser.add_argument("--write", action="store_true", help="record results in the manifest")
        return commands.bench(parser.parse_args(args))
    if command == "doctor":
        return commands.doctor(args)
    if command == "check":
        from ovbuild.check import main as check_main

        return check_main(args)
    if command == "gc":
        parser = _store_parser("gc")
        parser.add_argument("--keep", type=int, default=3, help="versions kept per name")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--grace", type=float, default=3600.0, help="seconds before leftovers of killed builds go"
        )
        return commands.gc(parser.parse_args(args))
    if command == "report":
        from ovbuild.sweeps.cli import report

        return report(args)
    print(f"ovbuild: error: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in argv or os.environ.get("HYDRA_FULL_ERROR") == "1"
    argv = [a for a in argv if a != "--verbose"]
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return _dispatch(argv[0], argv[1:])
    except OvbuildError as exc:
        if verbose:
            raise
        print(f"ovbuild: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
