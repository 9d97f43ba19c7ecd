"""The metric registry and the gate's per-sample checks, on known arrays (issue 23 point 3, issue
25 point 4): directions in one place, worst cases beside means, decisions for scalar outputs,
CTC strings for sequence outputs, bounds compared with a tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from ovbuild.config.choices import Metric
from ovbuild.metrics import evaluate
from ovbuild.metrics.gate import checks_for, misses, within_budget
from ovbuild.metrics.registry import at_least, get_metric, metric_names
from ovbuild.metrics.sequence import ctc_greedy
from ovbuild.preflight._values import value_problems


def test_every_schema_metric_is_registered_with_a_direction_and_a_range() -> None:
    assert sorted(m.value for m in Metric) == metric_names()
    assert not get_metric("similarity_rmse").higher_is_better and get_metric("similarity_rmse").ideal == 0.0
    assert get_metric("cosine").higher_is_better and get_metric("cosine").low == -1.0
    with pytest.raises(Exception, match="validate.metric: 'nope' is not a metric"):
        get_metric("nope")


def test_a_value_at_its_bound_meets_it_despite_float_rounding() -> None:
    assert 1 - 0.95 > 0.05  # 0.05000000000000004
    assert within_budget(1 - 0.95, 0.05) and not within_budget(0.0501, 0.05)
    assert at_least(0.95, 1 - 0.05)
    checks = checks_for({"metric": "cosine", "min": 0.95, "worst_factor": None}, ["out"])
    assert misses(checks, {"cosine": 1 - 0.05000000000000004}) == []
    assert misses(checks, {"cosine": 0.9499})


def test_a_mean_cosine_gate_fails_a_model_with_one_broken_sample() -> None:
    rng = np.random.default_rng(0)
    refs = [[rng.standard_normal((1, 16))] for _ in range(80)]
    cands = [[r[0] + 0.01 * rng.standard_normal((1, 16))] for r in refs]
    cands[7] = [refs[7][0] * np.r_[np.ones(12), -np.ones(4)]]  # one sample's decision flips
    values, missed = evaluate({"metric": "cosine", "min": 0.99}, ["out"], refs, cands)
    assert values["cosine"] > 0.99  # the mean hides it
    assert values["cosine.worst"] < 0.9 and values["cosine.p5"] > 0.99
    assert len(missed) == 1 and missed[0].startswith("validate.worst: the worst sample's cosine")
    _, missed = evaluate({"metric": "cosine", "min": 0.99, "worst": 0.5}, ["out"], refs, cands)
    assert missed == []  # an explicit worst-case bound replaces the derived one


def test_a_scalar_logit_is_scored_by_decisions_never_by_cosine() -> None:
    rng = np.random.default_rng(1)
    refs = [[np.full((1, 1, 1, 1), v, np.float32)] for v in rng.uniform(-4, 4, 80)]
    cands = [[r[0] * 1.01] for r in refs]
    cands[3] = [-refs[3][0]]
    cands[9] = [-refs[9][0]]  # 2 of 80 presence decisions flip; the cosine of scalars is still 1
    values, missed = evaluate({"metric": "cosine", "min": 0.99}, ["presence"], refs, cands)
    assert "cosine" not in values
    assert values["decision"] == pytest.approx(78 / 80)
    assert missed and "decision" in missed[0] and "below the minimum 0.99" in missed[0]


def test_a_ctc_output_is_compared_per_step_and_as_strings() -> None:
    steps, classes = 40, 6625
    ref = np.zeros((1, steps, classes), np.float32)
    labels = [0, 5, 5, 0, 7, 0, 0, 9, 9, 9] * 4  # reads 5 7 9 5 7 9 5 7 9 5 7 9
    ref[0, np.arange(steps), labels] = 1.0
    cand = ref.copy()
    cand[0, 2, 0] = 2.0  # a repeat becomes a blank: same string, one step differs
    assert ctc_greedy(ref) == ctc_greedy(cand) == [(5, 7, 9) * 4]
    values, missed = evaluate({"metric": "ctc_string", "min": 1.0}, ["logits"], [[ref]], [[cand]])
    assert values["ctc_string"] == 1.0 and missed == []
    assert values["top1_agreement"] == pytest.approx(39 / 40)  # per step, not one argmax per sample
    flipped = cand.copy()
    flipped[0, 4, 8] = 3.0  # the 7 becomes an 8: the string changes
    values, missed = evaluate({"metric": "ctc_cer", "max": 0.0}, ["logits"], [[ref]], [[flipped]])
    assert values["ctc_cer"] == pytest.approx(1 / 12) and missed


def test_a_budget_looser_than_the_gate_is_refused_naming_both_keys() -> None:
    recipe = {
        "name": "x",
        "precision": {"default": "auto", "accuracy": {"max_drop": 0.05}},
        "validate": {"metric": "cosine", "min": 0.99},
        "calibration": {"kind": "npz", "path": "x.npz"},
    }
    problems = value_problems(recipe)
    assert any(
        p.startswith("precision.accuracy.max_drop: 0.05") and "validate.min 0.99" in p for p in problems
    ), problems
    recipe["precision"]["accuracy"]["max_drop"] = 1 - 0.99  # exactly the gate, up to rounding
    assert not any("max_drop" in p for p in value_problems(recipe))
    recipe["validate"] = {"metric": "similarity_rmse", "max": 0.001}
    recipe["precision"]["accuracy"] = {"max_drop": 0.002}
    assert any("validate.max 0.001" in p for p in value_problems(recipe))


def test_auto_budget_holds_the_worst_sample_as_the_gate_does() -> None:
    from ovbuild.metrics.gate import worst_drop

    checks = checks_for({"metric": "cosine", "min": 0.99}, ["out"])
    values = {"cosine": 0.995, "cosine.worst": 0.9, "cosine.p5": 0.99}
    assert worst_drop(checks, values, {}) == pytest.approx(0.005)  # the mean alone
    # with the gate's factor, a worst sample 0.1 below 1 counts as a drop of 0.1 / 5
    assert worst_drop(checks, values, {}, worst_factor=5.0) == pytest.approx(0.02)


def test_accuracy_lines_show_direction_and_the_worst_sample_beside_the_value() -> None:
    from ovbuild.metrics.registry import accuracy_lines

    lines = accuracy_lines(
        {
            "cosine": 0.9981,
            "cosine.worst": 0.97,
            "cosine.p5": 0.99,
            "similarity_rmse": 0.0012,
            "detections_ref": 12.0,
        }
    )
    assert lines[0] == (
        "accuracy cosine: 0.998100 (higher is better; worst sample 0.970000, "
        "5% of samples worse than 0.990000)"
    )
    assert lines[1] == "accuracy similarity_rmse: 0.001200 (lower is better)"
    assert lines[2] == "accuracy detections_ref: 12"
