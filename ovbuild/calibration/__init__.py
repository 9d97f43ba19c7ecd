"""Declarative calibration datasets: every sample becomes a dict of named arrays that fits the
model's inputs, produced through the recipe's own front-end (tokenizer, audio decoding)."""

from ovbuild.calibration.datasets import load_dataset, split_dataset
from ovbuild.calibration.store import (
    CALIBRATION_FILE,
    HOLDOUT_FILE,
    REFERENCE_FILE,
    calibration_samples,
    load_samples,
    save_samples,
)

__all__ = [
    "CALIBRATION_FILE",
    "HOLDOUT_FILE",
    "REFERENCE_FILE",
    "calibration_samples",
    "load_dataset",
    "load_samples",
    "save_samples",
    "split_dataset",
]
