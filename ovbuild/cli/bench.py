"""``ovbuild bench``: latency and throughput of an artifact, optionally against its baselines."""

from __future__ import annotations

import argparse

from ovbuild.cli.options import add_store_option, resolve_artifact
from ovbuild.cli.subcommand import Subcommand
from ovbuild.errors import OvbuildError


class Bench(Subcommand):
    name = "bench"
    order = 50
    help = "measure an artifact's latency and throughput (--compare: baselines; --data: real inputs)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "artifact", help="NAME, NAME@VARIANT (e.g. minilm@int8), NAME/VERSION or an artifact directory"
        )
        parser.add_argument(
            "--compare",
            action="store_true",
            help="also run the FP32 reference IR, PyTorch eager and optimum-intel's default export "
            "(when the source allows), interleaved, and print ratios",
        )
        parser.add_argument("--json", action="store_true", help="print a JSON report instead of a table")
        parser.add_argument(
            "--seconds", type=float, default=5.0, help="measuring time per variant (default: 5)"
        )
        parser.add_argument("--write", action="store_true", help="record the results in the manifest")
        parser.add_argument(
            "--data",
            help="run real inputs end to end: a text file (one item a line), an audio or image file, "
            "or a directory of them; prints latency percentiles and items/s",
        )
        parser.add_argument("--batch-size", type=int, default=1, help="with --data: items per call")
        parser.add_argument(
            "--rounds",
            type=int,
            default=None,
            help="interleaved rounds (default: 5 with --data, else 9)",
        )
        parser.add_argument(
            "--threads", type=int, default=2, help="with --data: inference threads of every variant"
        )
        parser.add_argument("--limit", type=int, default=None, help="with --data: only the first N items")
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.bench import bench_artifact

        if args.rounds is not None and args.rounds < 1:
            raise OvbuildError(f"--rounds: must be >= 1, got {args.rounds}")
        if args.seconds <= 0:
            raise OvbuildError(f"--seconds: must be > 0, got {args.seconds}")
        path = resolve_artifact(args)
        if args.data:
            from ovbuild.bench.e2e import bench_data

            bench_data(
                path,
                args.data,
                batch_size=args.batch_size,
                rounds=args.rounds or 5,
                compare=args.compare,
                threads=args.threads,
                limit=args.limit,
                json=args.json,
            )
            return 0
        # bench_artifact prints the table, or the JSON report with --json.
        bench_artifact(
            path,
            compare=args.compare,
            json=args.json,
            seconds=args.seconds,
            rounds=args.rounds,
            write=args.write,
        )
        return 0
