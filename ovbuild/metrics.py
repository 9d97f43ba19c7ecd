"""Accuracy metrics between a reference and a candidate model on the same inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError


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


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    denom = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / denom) if denom else float(np.array_equal(a, b))


def score(metric: str, refs: list[np.ndarray], cands: list[np.ndarray]) -> float:
    if metric == "cosine":
        return float(np.mean([cosine(r, c) for r, c in zip(refs, cands, strict=True)]))
    if metric == "max_abs":
        return float(max(np.max(np.abs(r.astype(np.float64) - c)) for r, c in zip(refs, cands, strict=True)))
    if metric == "top1_agreement":
        return float(np.mean([np.argmax(r) == np.argmax(c) for r, c in zip(refs, cands, strict=True)]))
    raise StageError(f"validate.metric: {metric!r} is not available in this build of ovbuild")


def compare_models(ctx: Any, reference: Any, candidate: Any, cfg: dict[str, Any]) -> float:
    """``cfg['metric']`` of the candidate's first output against the reference's (at f32)."""
    ref_model = ctx.read_model(reference)
    samples = (
        npz_inputs(cfg["data"], cfg["samples"])
        if cfg.get("data")
        else synthetic_inputs(ref_model, cfg["samples"])
    )
    ref = ctx.core.compile_model(ref_model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    cand = ctx.core.compile_model(ctx.read_model(candidate), "CPU")
    refs, cands = [], []
    for sample in samples:
        refs.append(np.asarray(ref(sample)[0]))
        cands.append(np.asarray(cand(sample)[0]))
    return score(cfg["metric"], refs, cands)
