"""``similarity_rmse``: the pairwise-similarity error nearest-neighbour search sees, on known arrays."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.errors import StageError
from ovbuild.metrics import checks_for, evaluate
from ovbuild.metrics.gate import worst_drop
from ovbuild.metrics.similarity import nn_agreement, similarity_rmse


def _unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, 16))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_value_on_three_vectors_and_zero_for_the_reference() -> None:
    ref = np.eye(3)
    cand = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    # pair (0, 1) moves from 0 to 0.6, the other two pairs stay 0
    assert similarity_rmse(ref, cand) == pytest.approx(np.sqrt(0.36 / 3))
    assert similarity_rmse(ref, ref) == 0.0
    with pytest.raises(StageError, match="similarity_rmse needs at least 2"):
        similarity_rmse(ref[:1], cand[:1])


def test_unlike_nn_agreement_it_does_not_depend_on_the_set_size() -> None:
    ref = _unit_vectors(400)
    noisy = ref + 0.02 * np.random.default_rng(1).standard_normal(ref.shape)
    small, large = similarity_rmse(ref[:100], noisy[:100]), similarity_rmse(ref, noisy)
    assert small == pytest.approx(large, rel=0.1)
    # the same noise costs nn-agreement more on the larger set (its neighbours are closer)
    assert nn_agreement(ref, noisy) < nn_agreement(ref[:100], noisy[:100]) - 0.1


def test_it_gates_as_an_error_bound_and_auto_reads_it_as_a_drop_from_zero() -> None:
    ref = _unit_vectors(40)
    noisy = ref + 0.02 * np.random.default_rng(2).standard_normal(ref.shape)
    refs, cands = [[r[None]] for r in ref], [[c[None]] for c in noisy]
    value = similarity_rmse(ref, noisy)
    values, missed = evaluate(
        {"metric": "similarity_rmse", "max": value / 2}, ["sentence_embedding"], refs, cands
    )
    assert values["similarity_rmse"] == pytest.approx(value)
    assert missed and "validate.max: measured similarity_rmse" in missed[0]
    checks = checks_for({"metric": "similarity_rmse"}, ["sentence_embedding"])
    assert worst_drop(checks, {"similarity_rmse": value}, {}) == pytest.approx(value)
