"""validate and bad input, through the CLI as a user runs it: one clear line, exit 2, nothing published."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _tiny_bert import make_tiny_bert, tiny_overrides  # noqa: E402

from ovbuild import build, load_recipe  # noqa: E402
from ovbuild.metrics import nn_agreement, score  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ovbuild.cli.main", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(tiny BERT dir, a store where its float stages are already built)."""
    model = make_tiny_bert(tmp_path_factory.mktemp("tiny"))
    root = tmp_path_factory.mktemp("store")
    build(
        load_recipe(
            [*tiny_overrides(model, "validate=nn_agreement", "validate.min=0.0"), f"store.root={root}"]
        )
    )
    return model, root


def _fails_cleanly(tiny: tuple[Path, Path], *overrides: str) -> str:
    model, root = tiny
    before = sorted((root / "artifacts").rglob("manifest.json"))
    proc = run_cli("build", *tiny_overrides(model, *overrides), f"store.root={root}")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert sorted((root / "artifacts").rglob("manifest.json")) == before  # nothing published
    return proc.stderr


def test_nn_agreement_and_cosine_on_known_embeddings() -> None:
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((20, 8))
    assert nn_agreement(ref, ref) == 1.0
    assert nn_agreement(ref, ref[::-1].copy()) < 0.5
    assert score("cosine", list(ref), list(ref * 3)) == pytest.approx(1.0)
    # Token outputs are mean-pooled over the attention mask before scoring.
    tokens = rng.standard_normal((1, 4, 8))
    noisy = tokens.copy()
    noisy[:, 2:] += 100.0  # padding positions: ignored
    mask = {"attention_mask": np.array([[1, 1, 0, 0]])}
    assert score("cosine", [tokens], [noisy], [mask]) == pytest.approx(1.0)


def test_validate_records_every_metric_on_held_out_sentences(tiny) -> None:
    model, root = tiny
    result = build(load_recipe([*tiny_overrides(model, "validate=nn_agreement", "validate.min=0.0"),
                                f"store.root={root}"]))  # fmt: skip
    validate = result.manifest.stages["validate"]
    assert validate["samples"] == 100
    gated = {"nn_agreement", "nn_agreement.worst", "nn_agreement.p5"}  # the check's per-sample statistics
    assert set(validate["metrics"]) == {"cosine", "max_abs", "top1_agreement"} | gated
    assert validate["metrics"]["cosine"] > 0.99  # fp32 weights, device default precision
    calibrate = result.manifest.stages["calibrate"]
    assert calibrate["calibration_samples"] == 300 and calibrate["holdout_samples"] == 100


@pytest.mark.slow
def test_a_missed_minimum_fails_with_the_measured_value(tiny) -> None:
    # 1.0 passes the up-front range check; fp16-rounded weights move the outputs on every CPU
    # (an f32 candidate would meet it exactly where the CPU has no bf16)
    err = _fails_cleanly(
        tiny, "precision=fp16", "validate=nn_agreement", "validate.metric=cosine", "validate.min=1.0"
    )
    # every digit is shown when six decimals would round to the bound itself
    assert re.search(r"validate\.min: measured cosine\S* 0\.9\d+ is below the minimum 1\.0", err), err


def test_a_minimum_outside_the_metrics_range_is_refused_before_building(tiny) -> None:
    err = _fails_cleanly(tiny, "validate=nn_agreement", "validate.metric=cosine", "validate.min=1.5")
    assert "validate.min: 1.5 is outside the range of cosine, [-1.0, 1.0]" in err


@pytest.mark.slow
def test_calibration_dir_without_usable_files(tiny, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    err = _fails_cleanly(tiny, "precision=int8", "calibration=image_dir", f"calibration.path={tmp_path}")
    assert "calibration.path: no usable files in" in err


@pytest.mark.slow
def test_samples_that_do_not_fit_the_model(tiny, tmp_path: Path) -> None:
    npz = tmp_path / "bad.npz"
    np.savez(npz, input_ids=np.zeros((10, 1, 7), np.int64))
    err = _fails_cleanly(tiny, "precision=int8", "calibration=npz", f"calibration.path={npz}")
    assert "does not fit" in err or "has no input" in err


@pytest.mark.slow
def test_a_negative_budget_is_refused_before_building(tiny) -> None:
    err = _fails_cleanly(
        tiny, "precision=auto", "precision.accuracy.metric=cosine", "precision.accuracy.max_drop=-1"
    )
    assert "precision.accuracy.max_drop: -1.0 is outside its range" in err


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("precision.rules=[{layer: attn, precision: int8}]", "precision.rules"),
        ("precision.default=int9", "precision.default"),
    ],
)
def test_unknown_layer_class_or_precision_name(override: str, expected: str) -> None:
    proc = run_cli("validate", "recipe=minilm", override)
    assert proc.returncode == 2
    assert expected in proc.stderr and ("attn" in proc.stderr or "int9" in proc.stderr)
