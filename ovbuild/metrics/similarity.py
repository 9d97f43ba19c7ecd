"""Built-in metrics between a reference's and a candidate's values of one output (or one part).

Each takes the reference and candidate arrays (one per sample) and returns a float; higher is
better for all but ``max_abs``. Token outputs ``[1, T, H]`` are mean-pooled over the sample's
attention mask first (sentence embeddings), so padding does not count.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ovbuild.errors import StageError


def cosine_of(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    denom = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / denom) if denom else float(np.array_equal(a, b))


def embeddings(outputs: list[np.ndarray], samples: list[dict[str, np.ndarray]] | None = None) -> np.ndarray:
    """One vector per sample: token outputs are mean-pooled over the attention mask, the rest flattened.

    Outputs whose size varies by sample (dynamic lengths) come back as an object array of vectors.
    """
    vectors = []
    for i, out in enumerate(outputs):
        out = np.asarray(out, np.float64)
        mask = samples[i].get("attention_mask") if samples else None
        if out.ndim == 3 and mask is not None and np.asarray(mask).shape == out.shape[:2]:
            m = np.asarray(mask, np.float64)[..., None]
            vectors.append(((out * m).sum(1) / np.maximum(m.sum(1), 1.0)).ravel())
        else:
            vectors.append(out.ravel())
    if len({len(v) for v in vectors}) > 1 and all(np.ndim(o) == 3 for o in outputs):
        # Token outputs of one sentence each, unpadded (dynamic lengths): every token is real.
        vectors = [np.asarray(o, np.float64).mean(axis=1).ravel() for o in outputs]
    if len({len(v) for v in vectors}) > 1:
        ragged = np.empty(len(vectors), dtype=object)
        ragged[:] = vectors
        return ragged
    return np.stack(vectors)


def cosine_matrix(e: np.ndarray) -> np.ndarray:
    """The cosine similarity of every pair of rows of ``e``."""
    e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
    return e @ e.T


def nn_agreement(refs: np.ndarray, cands: np.ndarray) -> float:
    """Share of samples whose nearest neighbour (cosine, among the other samples) is the same
    under the candidate's embeddings as under the reference's."""
    if len(refs) < 3:
        raise StageError("validate.metric: nn_agreement needs at least 3 held-out samples")

    def nearest(e: np.ndarray) -> np.ndarray:
        sim = cosine_matrix(e)
        np.fill_diagonal(sim, -np.inf)
        return sim.argmax(1)

    return float(np.mean(nearest(refs) == nearest(cands)))


def similarity_rmse(refs: np.ndarray, cands: np.ndarray) -> float:
    """RMS error of the cosine similarity of every pair of samples, candidate against reference.

    Nearest-neighbour search, clustering and ranking read these similarities, so this is the
    error they see; unlike :func:`nn_agreement` it is smooth, and it does not depend on how many
    samples there are (nn-agreement gets harsher as a set grows and its neighbours get closer).
    """
    if len(refs) < 2:
        raise StageError("validate.metric: similarity_rmse needs at least 2 samples")

    upper = np.triu_indices(len(refs), 1)
    return float(np.sqrt(np.mean((cosine_matrix(cands) - cosine_matrix(refs))[upper] ** 2)))


def topk_agreement(refs: np.ndarray, cands: np.ndarray, k: int) -> float:
    """Mean share of the reference's ``k`` highest entries that are also the candidate's ``k`` highest."""
    k = max(1, min(int(k), refs.shape[1]))
    top_r = np.argpartition(-refs, k - 1, axis=1)[:, :k]
    top_c = np.argpartition(-cands, k - 1, axis=1)[:, :k]
    return float(np.mean([len(set(r) & set(c)) / k for r, c in zip(top_r, top_c, strict=True)]))


def mask_iou(refs: list[np.ndarray], cands: list[np.ndarray], threshold: float) -> float:
    """Mean IoU of the masks ``value > threshold`` (a probability or segmentation map); two empty
    masks agree perfectly."""
    ious = []
    for r, c in zip(refs, cands, strict=True):
        a, b = np.asarray(r) > threshold, np.asarray(c) > threshold
        union = np.logical_or(a, b).sum()
        ious.append(1.0 if union == 0 else float(np.logical_and(a, b).sum() / union))
    return float(np.mean(ious))


def array_metric(
    metric: str,
    refs: list[np.ndarray],
    cands: list[np.ndarray],
    samples: list[dict[str, Any]] | None,
    params: dict[str, Any],
) -> float:
    """``metric`` over one output's (or part's) values, one array per sample."""
    if metric == "mask_iou":
        return mask_iou(refs, cands, float(params.get("threshold", 0.5)))
    r, c = embeddings(refs, samples), embeddings(cands, samples)
    if r.dtype == object:  # sizes vary by sample: every metric but nn_agreement is per sample
        if metric in ("nn_agreement", "similarity_rmse"):
            raise StageError(f"validate.metric: {metric} needs outputs of one size for every sample")
        per_sample = [
            array_metric(metric, [a[None]], [b[None]], None, params) for a, b in zip(r, c, strict=True)
        ]
        return float(np.max(per_sample) if metric == "max_abs" else np.mean(per_sample))
    if metric == "cosine":
        return float(np.mean([cosine_of(a, b) for a, b in zip(r, c, strict=True)]))
    if metric == "max_abs":
        return float(np.max(np.abs(r - c)))
    if metric == "top1_agreement":
        return float(np.mean(r.argmax(1) == c.argmax(1)))
    if metric == "topk_agreement":
        return topk_agreement(r, c, int(params.get("k", 5)))
    if metric == "nn_agreement":
        return nn_agreement(r, c)
    if metric == "similarity_rmse":
        return similarity_rmse(r, c)
    raise StageError(f"validate.metric: {metric!r} is not available in this build of ovbuild")
