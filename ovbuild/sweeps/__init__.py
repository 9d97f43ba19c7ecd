"""Sweeps: the multirun report callback, its report writer, and the pre-launch override check.

>>> # ovbuild build -m recipe=silero_vad precision=fp32,fp16 hydra/launcher=joblib
>>> # -> <store>/sweeps/<id>/report.md, report.csv, pareto.png
"""

from __future__ import annotations

from ovbuild.sweeps.callback import SweepCallback, last_report, set_rejected
from ovbuild.sweeps.preflight import split_sweep
from ovbuild.sweeps.report import SweepReport, regenerate, write_report

__all__ = [
    "SweepCallback",
    "SweepReport",
    "last_report",
    "regenerate",
    "set_rejected",
    "split_sweep",
    "write_report",
]
