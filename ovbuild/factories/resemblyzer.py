"""resemblyzer's speaker encoder as a plain ``nn.Module``, for ``source.factory``.

resemblyzer's ``VoiceEncoder`` is a 3-layer LSTM (hidden 256) over 40-band mel power frames at
16 kHz (25 ms windows, 10 ms hop: ``n_fft=400, hop_length=160, n_mels=40``, no log), a linear
layer, ReLU and L2 normalisation. Importing the ``resemblyzer`` package pulls in ``webrtcvad``
(for silence trimming), so this module rebuilds the network and loads the package's
``pretrained.pt`` without importing it.

The matching front-end (``ovbuild.frontends.audio_graph``): ``features: mel``, ``n_fft: 400``,
``hop_length: 160``, ``n_mels: 40``, ``sample_rate: 16000``, model input layout ``NTC``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError
from ovbuild.factories.checkpoints import load_weights

#: The front-end config that reproduces ``resemblyzer.audio.wav_to_mel_spectrogram``.
RESEMBLYZER_FRONTEND = {
    "features": "mel",
    "sample_rate": 16000,
    "n_fft": 400,
    "hop_length": 160,
    "n_mels": 40,
    "input_layout": "NTC",
}


def pretrained_path() -> Path:
    """Path of resemblyzer's bundled ``pretrained.pt``.

    Raises:
        SourceError: resemblyzer is not installed or ships no weights.
    """
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        from ovbuild.extras import missing_package_message

        raise SourceError(missing_package_message("resemblyzer", "the speaker encoder's weights"))
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.exists():
        raise SourceError(f"resemblyzer's weights are missing: {path}")
    return path


def speaker_encoder(weights: str | None = None) -> Any:
    """resemblyzer's speaker encoder with its pretrained weights, in eval mode.

    Args:
        weights: a ``.pt`` checkpoint with ``model_state``; default: resemblyzer's ``pretrained.pt``.

    Returns:
        ``torch.nn.Module`` mapping mel frames ``[batch, frames, 40]`` to L2-normalised
        embeddings ``[batch, 256]``.

    Raises:
        SourceError: no weights, or the checkpoint does not fit the network.

    >>> enc = speaker_encoder()  # doctest: +SKIP
    >>> enc(torch.rand(1, 160, 40)).shape  # doctest: +SKIP
    torch.Size([1, 256])
    """
    import torch
    from torch import nn

    class SpeakerEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(40, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)
            self.relu = nn.ReLU()

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            embeds = self.relu(self.linear(hidden[-1]))
            return embeds / torch.norm(embeds, dim=1, keepdim=True)

    path = Path(weights) if weights else pretrained_path()
    state = load_weights(path, "speaker encoder checkpoint")["model_state"]
    model = SpeakerEncoder()
    missing, _unexpected = model.load_state_dict(state, strict=False)
    if missing:
        raise SourceError(f"checkpoint {path} lacks {missing}")
    return model.eval()
