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


def embeddings(outputs: list[np.ndarray], samples: list[dict[str, np.ndarray]] | None = None) -> np.ndarray:
    """One vector per sample: token outputs ``[1, T, H]`` are mean-pooled over the attention mask
    (sentence embeddings), anything else is flattened."""
    vectors = []
    for i, out in enumerate(outputs):
        out = np.asarray(out, np.float64)
        mask = (samples[i].get("attention_mask") if samples else None) if samples is not None else None
        if out.ndim == 3 and mask is not None and np.asarray(mask).shape == out.shape[:2]:
            m = np.asarray(mask, np.float64)[..., None]
            vectors.append(((out * m).sum(1) / np.maximum(m.sum(1), 1.0)).ravel())
        else:
            vectors.append(out.ravel())
    return np.stack(vectors)


def nn_agreement(refs: np.ndarray, cands: np.ndarray) -> float:
    """Share of samples whose nearest neighbour (cosine, among the other samples) is the same
    under the candidate's embeddings as under the reference's."""
    if len(refs) < 3:
        raise StageError("validate.metric: nn_agreement needs at least 3 held-out samples")

    def nearest(e: np.ndarray) -> np.ndarray:
        e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
        sim = e @ e.T
        np.fill_diagonal(sim, -np.inf)
        return sim.argmax(1)

    return float(np.mean(nearest(refs) == nearest(cands)))


def _target(spec: str | None) -> Any:
    from ovbuild.target import resolve_target

    if not spec:
        raise StageError("validate.target: metric 'target' needs validate.target='module:function'")
    return resolve_target(spec, "validate.target")


def score(
    metric: str,
    refs: list[np.ndarray],
    cands: list[np.ndarray],
    samples: list[dict[str, np.ndarray]] | None = None,
    target: str | None = None,
) -> float:
    """``metric`` of candidate outputs against reference outputs (first output, one per sample)."""
    if metric == "target":
        return float(_target(target)(refs, cands))
    r, c = embeddings(refs, samples), embeddings(cands, samples)
    if metric == "cosine":
        return float(np.mean([cosine(a, b) for a, b in zip(r, c, strict=True)]))
    if metric == "max_abs":
        return float(np.max(np.abs(r - c)))
    if metric == "top1_agreement":
        return float(np.mean(r.argmax(1) == c.argmax(1)))
    if metric == "nn_agreement":
        return nn_agreement(r, c)
    raise StageError(f"validate.metric: {metric!r} is not available in this build of ovbuild")


def all_scores(
    refs: list[np.ndarray], cands: list[np.ndarray], samples: list[dict] | None = None
) -> dict[str, float]:
    """Every built-in metric that applies (nn_agreement needs 3+ samples)."""
    out = {m: score(m, refs, cands, samples) for m in ("cosine", "max_abs", "top1_agreement")}
    if len(refs) >= 3:
        out["nn_agreement"] = score("nn_agreement", refs, cands, samples)
    return out


def drop(metric: str, value: float, reference: float | None = None) -> float:
    """How far ``value`` is from a perfect match: ``1 - value`` for similarity metrics, the value
    itself for ``max_abs``, ``reference - value`` for a target metric."""
    if metric == "max_abs":
        return value
    if metric == "target":
        return (reference if reference is not None else 1.0) - value
    return 1.0 - value


def run_outputs(compiled: Any, samples: list[dict[str, np.ndarray]], desc: str) -> list[np.ndarray]:
    """The first output of ``compiled`` for every sample, with a progress bar."""
    from tqdm import tqdm

    request = compiled.create_infer_request()
    return [np.array(request.infer(s)[compiled.outputs[0]]) for s in tqdm(samples, desc=desc, leave=False)]


def compare_models(
    ctx: Any,
    candidate_model: Any,
    samples: list[dict[str, np.ndarray]],
    refs: list[np.ndarray],
    cfg: dict[str, Any],
    properties: dict[str, Any] | None = None,
) -> dict[str, float]:
    """Score a candidate against reference outputs on ``samples``.

    Args:
        ctx: a stage context (its ``core`` compiles).
        candidate_model: the ``ov.Model`` to score, compiled on CPU with ``properties``.
        samples: held-out inputs.
        refs: the FP32 reference's first output for each sample.
        cfg: the ``validate`` block (``metric``, ``target``).
        properties: compile properties of the device plan (inference precision, ...).

    Returns:
        ``{metric: value}`` for the configured metric and every built-in one that applies.
    """
    cand = ctx.core.compile_model(candidate_model, "CPU", properties or {})
    cands = run_outputs(cand, samples, "validate")
    values = all_scores(refs, cands, samples)
    values[cfg["metric"]] = score(cfg["metric"], refs, cands, samples, cfg.get("target"))
    return values
