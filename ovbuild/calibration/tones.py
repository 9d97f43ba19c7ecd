"""Synthetic pitched tones for pitch models (CREPE): a ``callable`` calibration target.

    calibration: {kind: callable, target: ovbuild.calibration.tones:crepe_frames, samples: 300}

Each sample is one 1024-sample frame at 16 kHz of a harmonic tone (log-uniform 50–1000 Hz,
random phase, harmonic amplitudes and a little noise), normalised to zero mean and unit variance
as CREPE expects.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def tone_frame(freq: float, rng: np.random.Generator, sr: int = 16000, length: int = 1024) -> np.ndarray:
    """One normalised frame of a harmonic tone at ``freq`` Hz."""
    t = np.arange(length) / sr
    frame = np.zeros(length)
    for k in range(1, 5):
        if k * freq < sr / 2:
            frame += rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * k * freq * t + rng.uniform(0, 2 * np.pi))
    frame += rng.normal(0, 0.01, length)
    return ((frame - frame.mean()) / (frame.std() + 1e-8)).astype(np.float32)


def crepe_frames(count: int = 400, seed: int = 0) -> Iterator[dict[str, np.ndarray]]:
    """Yield ``{"frames": [1, 1024]}`` tone frames (calibration and held-out are split by ovbuild)."""
    rng = np.random.default_rng(seed)
    for freq in np.exp(rng.uniform(np.log(50.0), np.log(1000.0), count)):
        yield {"frames": tone_frame(float(freq), rng)[None]}
