"""Declarative calibration datasets: every sample becomes a dict of named arrays that fits the
model's inputs, produced through the recipe's own front-end (tokenizer, audio decoding)."""

from ovbuild.calibration.datasets import load_dataset, split_dataset
from ovbuild.calibration.store import load_samples, save_samples

__all__ = ["load_dataset", "load_samples", "save_samples", "split_dataset"]
