"""Accuracy metrics between a reference and a candidate model on the same inputs.

:mod:`.registry` holds one class per metric (direction, range, per-sample scoring, reduction,
display): :mod:`.builtin` the array metrics, :mod:`.sequence` CTC strings, :mod:`.task` detection,
``target`` and the generative metrics. :mod:`.gate` builds the checks a ``validate`` block asks
for (per output, per part) and their bounds; :mod:`.similarity` and :mod:`.detection` hold the
array arithmetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError
from ovbuild.metrics.gate import Check, checks_for, measure, misses, worst_drop
from ovbuild.metrics.similarity import cosine_of as cosine
from ovbuild.metrics.similarity import embeddings, nn_agreement

__all__ = [
    "Check",
    "checks_for",
    "compare_models",
    "cosine",
    "embeddings",
    "evaluate",
    "measure",
    "misses",
    "nn_agreement",
    "npz_inputs",
    "run_outputs",
    "score",
    "synthetic_inputs",
    "worst_drop",
]

_INFO = ("cosine", "max_abs", "top1_agreement")  # recorded for every output, not gated


def synthetic_inputs(model: Any, count: int, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Seeded random inputs matching a model's static input shapes and types."""
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(count):
        sample = {}
        for port in model.inputs:
            shape = [d.get_length() if d.is_static else 1 for d in port.get_partial_shape()]
            dtype = port.get_element_type().to_dtype()
            if np.issubdtype(dtype, np.floating):
                sample[port.get_any_name()] = rng.standard_normal(shape).astype(dtype)
            elif dtype == np.bool_:
                sample[port.get_any_name()] = np.ones(shape, dtype)
            else:
                sample[port.get_any_name()] = rng.integers(0, 100, size=shape).astype(dtype)
        samples.append(sample)
    return samples


def npz_inputs(path: str | Path, count: int) -> list[dict[str, np.ndarray]]:
    try:
        data = np.load(path)
    except (OSError, ValueError) as exc:
        raise StageError(f"validate.data: cannot read {path}: {exc}") from exc
    n = min(len(data[k]) for k in data.files)
    return [{k: data[k][i] for k in data.files} for i in range(min(n, count))]


def score(
    metric: str,
    refs: list[np.ndarray],
    cands: list[np.ndarray],
    samples: list[dict[str, np.ndarray]] | None = None,
    params: dict[str, Any] | None = None,
) -> float:
    """``metric`` over one output's values (one array per sample), reduced to one number."""
    from ovbuild.metrics.registry import get_metric

    return get_metric(metric).score(refs, cands, samples, params or {}).value


def run_outputs(compiled: Any, samples: list[dict[str, np.ndarray]], desc: str) -> list[list[np.ndarray]]:
    """Every output of ``compiled`` for every sample, with a progress bar."""
    from tqdm import tqdm

    request = compiled.create_infer_request()
    outputs = []
    for sample in tqdm(samples, desc=desc, leave=False):
        result = request.infer(sample)
        outputs.append([np.array(result[port]) for port in compiled.outputs])
    return outputs


def output_names(model: Any) -> list[str]:
    return [(o.get_names() and o.get_any_name()) or f"output{i}" for i, o in enumerate(model.outputs)]


def evaluate(
    cfg: dict[str, Any],
    names: list[str],
    refs: list[list[np.ndarray]],
    cands: list[list[np.ndarray]],
    samples: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, float], list[str]]:
    """``(values, misses)``: every gated check of ``cfg`` (with its per-sample worst case and
    tail) plus informational per-output metrics; an output of one value per sample is scored by
    ``decision`` agreement, never by cosine."""
    from ovbuild.metrics.builtin import per_sample_size

    sizes = [per_sample_size(o) for o in refs[0]] if refs else None
    checks = checks_for(cfg, names, sizes)
    values = measure(checks, refs, cands, samples, cfg)
    for index, name in enumerate(names):
        suffix = "" if len(names) == 1 else f"[{name}]"
        r = [o[index] for o in refs]
        c = [o[index] for o in cands]
        if sizes is not None and sizes[index] == 1:
            params = {"decision_threshold": cfg.get("decision_threshold")}
            values.setdefault("decision" + suffix, score("decision", r, c, samples, params))
            continue
        params = {"class_axis": cfg.get("class_axis")}
        for metric in _INFO:
            values.setdefault(metric + suffix, score(metric, r, c, samples, params))
        if len(refs) >= 3 and embeddings(r, samples).dtype != object:
            values.setdefault("nn_agreement" + suffix, score("nn_agreement", r, c, samples))
    return values, misses(checks, values)


def compare_models(
    ctx: Any,
    candidate_model: Any,
    samples: list[dict[str, np.ndarray]],
    refs: list[list[np.ndarray]],
    cfg: dict[str, Any],
    properties: dict[str, Any] | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Compile ``candidate_model`` on CPU with ``properties`` and :func:`evaluate` it on ``samples``."""
    compiled = ctx.core.compile_model(candidate_model, "CPU", properties or {})
    cands = run_outputs(compiled, samples, "validate")
    return evaluate(cfg, output_names(candidate_model), refs, cands, samples)
