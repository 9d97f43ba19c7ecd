"""Calibration and held-out prompts for generative models, as token ids of varying length.

A generative model is fed whole prompts (no padding) with a fresh KV cache per prompt, so its
samples do not stack into the fixed-shape ``.npz`` splits other models use. They are tokenized
by the artifact's own tokenizer IR (what the loader runs) and kept as one JSON file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.errors import StageError

PROMPTS_FILE = "prompts.json"


def tokenize_prompts(core: Any, tokenizer_xml: Path, cfg: dict[str, Any], out_dir: Path) -> dict[str, int]:
    """Split the calibration items, tokenize each line, write ``out_dir/prompts.json``.

    Args:
        core: an ``ov.Core`` with openvino-tokenizers registered.
        tokenizer_xml: the artifact's ``openvino_tokenizer.xml``.
        cfg: the recipe's ``calibration`` block (``text_lines``).
        out_dir: the calibrate stage's entry directory.

    Returns:
        ``{"calibration_samples": n, "holdout_samples": m}``.

    Raises:
        StageError: not a text dataset, or no usable line.
    """
    from ovbuild.calibration.datasets import raw_items, split_dataset

    if cfg["kind"] != "text_lines":
        raise StageError(
            "calibration.kind: a generative model is calibrated on text prompts (text_lines), "
            f"not {cfg['kind']!r}"
        )
    calib, held = split_dataset([line for line in raw_items(cfg) if str(line).strip()], cfg)
    if not calib:
        raise StageError(f"calibration.path: {cfg.get('path')} gave no prompts")
    request = core.compile_model(str(tokenizer_xml), "CPU").create_infer_request()

    def ids(lines: list[str]) -> list[list[int]]:
        return [np.asarray(request.infer([np.array([line])])["input_ids"])[0].tolist() for line in lines]

    prompts = {"calibration": ids(calib), "holdout": ids(held)}
    (out_dir / PROMPTS_FILE).write_text(json.dumps(prompts))
    return {"calibration_samples": len(prompts["calibration"]), "holdout_samples": len(prompts["holdout"])}


def load_prompts(entry_dir: Path) -> dict[str, list[list[int]]]:
    """``{"calibration": [ids, ...], "holdout": [ids, ...]}`` from a calibrate entry."""
    return json.loads((entry_dir / PROMPTS_FILE).read_text())


def prefill_inputs(ids: list[int], input_names: set[str]) -> dict[str, np.ndarray]:
    """The inputs of a stateful decoder-only LM for one whole prompt on a fresh KV cache."""
    length = len(ids)
    feeds = {"input_ids": np.array([ids], np.int64)}
    if "attention_mask" in input_names:
        feeds["attention_mask"] = np.ones((1, length), np.int64)
    if "position_ids" in input_names:
        feeds["position_ids"] = np.arange(length, dtype=np.int64)[None]
    if "beam_idx" in input_names:
        feeds["beam_idx"] = np.zeros(1, np.int32)
    return feeds
