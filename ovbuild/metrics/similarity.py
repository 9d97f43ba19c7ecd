"""Array helpers of the metrics: pooled embeddings, cosine, neighbours, pairwise similarity
error, top-k and mask overlap. The metrics themselves (direction, bounds, reduction) are classes
in :mod:`.builtin`, registered in :mod:`.registry`. Token outputs ``[1, T, H]`` are mean-pooled
over the sample's attention mask (sentence embeddings), so padding does not count.
"""

from __future__ import annotations

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


def nearest_neighbours(e: np.ndarray) -> np.ndarray:
    """Index of each row's nearest other row by cosine."""
    sim = cosine_matrix(e)
    np.fill_diagonal(sim, -np.inf)
    return sim.argmax(1)


def nn_agreement(refs: np.ndarray, cands: np.ndarray) -> float:
    """Share of samples whose nearest neighbour (cosine, among the other samples) is the same
    under the candidate's embeddings as under the reference's."""
    if len(refs) < 3:
        raise StageError("validate.metric: nn_agreement needs at least 3 held-out samples")
    return float(np.mean(nearest_neighbours(refs) == nearest_neighbours(cands)))


def similarity_row_rmse(refs: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """Per sample: the RMS error of its cosine similarity to every other sample."""
    if len(refs) < 2:
        raise StageError("validate.metric: similarity_rmse needs at least 2 samples")
    err = (cosine_matrix(cands) - cosine_matrix(refs)) ** 2
    np.fill_diagonal(err, 0.0)
    return np.sqrt(err.sum(1) / (len(refs) - 1))


def similarity_rmse(refs: np.ndarray, cands: np.ndarray) -> float:
    """RMS error of the cosine similarity of every pair of samples, candidate against reference.

    Nearest-neighbour search, clustering and ranking read these similarities, so this is the
    error they see; unlike :func:`nn_agreement` it is smooth, and it does not depend on how many
    samples there are (nn-agreement gets harsher as a set grows and its neighbours get closer).
    The mean of the rows' squared errors is the mean over every pair (each counted twice).
    """
    return float(np.sqrt(np.mean(similarity_row_rmse(refs, cands) ** 2)))


def topk_per_row(refs: np.ndarray, cands: np.ndarray, k: int) -> np.ndarray:
    """Per row: share of the reference's ``k`` highest entries that are also the candidate's."""
    out = []
    for a, b in zip(refs, cands, strict=True):
        kk = max(1, min(int(k), len(a)))
        top_a, top_b = np.argpartition(-a, kk - 1)[:kk], np.argpartition(-b, kk - 1)[:kk]
        out.append(len(set(top_a) & set(top_b)) / kk)
    return np.array(out)


def topk_agreement(refs: np.ndarray, cands: np.ndarray, k: int) -> float:
    """Mean share of the reference's ``k`` highest entries that are also the candidate's ``k`` highest."""
    return float(np.mean(topk_per_row(refs, cands, k)))


def mask_iou_per_sample(refs: list[np.ndarray], cands: list[np.ndarray], threshold: float) -> np.ndarray:
    """IoU of the masks ``value > threshold`` of each sample; two empty masks agree perfectly."""
    ious = []
    for r, c in zip(refs, cands, strict=True):
        a, b = np.asarray(r) > threshold, np.asarray(c) > threshold
        union = np.logical_or(a, b).sum()
        ious.append(1.0 if union == 0 else float(np.logical_and(a, b).sum() / union))
    return np.array(ious)


def mask_iou(refs: list[np.ndarray], cands: list[np.ndarray], threshold: float) -> float:
    """Mean IoU of the masks ``value > threshold`` (a probability or segmentation map)."""
    return float(np.mean(mask_iou_per_sample(refs, cands, threshold)))
