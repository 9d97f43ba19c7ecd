"""``ovbuild check``: the self-test (``ovbuild/check/``) as a command."""

from __future__ import annotations

import argparse

from ovbuild.cli.options import add_store_option, store_root
from ovbuild.cli.subcommand import Subcommand


class Check(Subcommand):
    name = "check"
    order = 90
    help = "self-test: build and run small real artifacts through the legacy API (PASS/FAIL table)"
    description = (
        "Build and run small real artifacts through the legacy facade, check the outputs and\n"
        "measure latency. The basic check always runs; exit code 1 when any check fails."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--test-audio", action="store_true", help="decode audio and run VAD and a speaker model"
        )
        parser.add_argument(
            "--audio-file", default=None, help="audio file for --test-audio (default: synthesized)"
        )
        parser.add_argument(
            "--test-mixed-precision", action="store_true", help="INT8 + FP16 attention vs FP32"
        )
        parser.add_argument("--test-multi-device", action="store_true", help="weighted multi-device batch")
        parser.add_argument(
            "--model",
            default=None,
            help="model for mixed-precision/multi-device: a local HF model directory (calibrated on "
            "sentences) or a model file (calibrated on random inputs: a smoke test that may rightly "
            "FAIL the accuracy bound); hub ids need a local copy",
        )
        parser.add_argument("--run-all", action="store_true", help="every check")
        add_store_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ovbuild.check import format_table, run_checks

        names = ["basic"]
        if args.test_audio or args.audio_file or args.run_all:
            names += ["audio", "audio_frontend"]
        if args.test_mixed_precision or args.run_all:
            names.append("mixed_precision")
        if args.test_multi_device or args.run_all:
            names.append("multi_device")
        results = run_checks(names, store_root=store_root(args), audio_file=args.audio_file, model=args.model)
        print(format_table(results))
        return 0 if all(r.passed for r in results) else 1
