"""librosa as the reference for every audio feature ovbuild computes (host side or in the graph)."""

from __future__ import annotations

import numpy as np

from ovbuild.runtime import audio as A


def librosa_features(x: np.ndarray, cfg: dict) -> np.ndarray:
    """What librosa gives for the ``AudioFrontend`` config ``cfg`` (log-mel in dB, mel power, MFCC)."""
    import librosa

    c = A.audio_config(cfg)
    kw = dict(
        sr=c["sample_rate"],
        n_fft=c["n_fft"],
        hop_length=c["hop_length"],
        win_length=c["win_length"],
        n_mels=c["n_mels"],
        fmin=c["fmin"],
        fmax=c["fmax"],
        power=c["power"],
        center=c["center"],
        pad_mode=c["pad_mode"],
    )
    if c["features"] == "mfcc":
        return librosa.feature.mfcc(y=x, n_mfcc=c["n_mfcc"], **kw)
    if c["features"] == "mel":
        return librosa.feature.melspectrogram(y=x, **kw)
    return librosa.power_to_db(librosa.feature.melspectrogram(y=x, **kw), top_db=c["top_db"])
