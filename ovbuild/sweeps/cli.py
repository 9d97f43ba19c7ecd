"""``ovbuild report SWEEP_DIR``: rewrite a sweep's report from its records and manifests."""

from __future__ import annotations

import argparse


def report(argv: list[str]) -> int:
    """Regenerate ``report.md``/``report.csv``/``pareto.png`` of a finished sweep.

    Args:
        argv: ``SWEEP_DIR [--bench SECONDS] [--remeasure]``; SWEEP_DIR is the report dir
            (``<store>/sweeps/<id>``) or Hydra's multirun dir (``<store>/runs/multirun/<id>``).

    Returns:
        0, or 1 when the sweep has failed variants (they are listed in the report).

    Raises:
        ArtifactError: the directory holds no sweep.
    """
    from ovbuild.sweeps.report import regenerate

    parser = argparse.ArgumentParser(prog="ovbuild report")
    parser.add_argument("sweep_dir")
    parser.add_argument("--bench", type=float, default=2.0, help="seconds per variant when measuring")
    parser.add_argument("--remeasure", action="store_true", help="measure latency again")
    args = parser.parse_args(argv)
    result = regenerate(args.sweep_dir, bench_seconds=args.bench, remeasure=args.remeasure)
    print(f"{result.report_dir / 'report.md'}: {len(result.rows)} variants, {len(result.failed)} failed")
    for row in result.failed:
        print(f"  failed: {row['variant']}: {row['error']}")
    return 1 if result.failed else 0
