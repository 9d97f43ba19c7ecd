"""``ovbuild bench``: latency and throughput of an artifact, side by side with what it replaces.

:func:`bench_compiled` measures one compiled OpenVINO model the way ``benchmark_app`` does (input
tensors set once; synchronous requests for latency; an ``AsyncInferQueue`` of the optimal number of
requests for throughput). :func:`bench_artifact` runs it on an artifact and, with ``compare``, on the
FP32 reference at ``INFERENCE_PRECISION_HINT=f32``, the PyTorch eager source (2 threads) and
optimum-intel's default export, then prints a table of ratios.
:func:`compare_with_benchmark_app` runs OpenVINO's own ``benchmark_app`` on an IR for a cross-check.
"""

from __future__ import annotations

from ovbuild.bench._artifact import bench_artifact
from ovbuild.bench._baselines import bench_optimum_default, bench_torch_eager
from ovbuild.bench._benchmark_app import compare_with_benchmark_app, parse_benchmark_app
from ovbuild.bench._inputs import make_inputs
from ovbuild.bench._measure import MODES, bench_callable, bench_compiled
from ovbuild.bench._table import format_table

__all__ = [
    "MODES",
    "bench_artifact",
    "bench_callable",
    "bench_compiled",
    "bench_optimum_default",
    "bench_torch_eager",
    "compare_with_benchmark_app",
    "format_table",
    "make_inputs",
    "parse_benchmark_app",
]
