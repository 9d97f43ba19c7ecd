"""The facade on Whisper artifacts: ``model_type: "audio"`` with a CTranslate2 Whisper directory
builds the speech-to-text artifact, and ``run_inference`` returns its transcript.

Legacy configs name the CTranslate2 directory faster-whisper runs (``model.bin``, ``config.json``,
``tokenizer.json``) as ``model_path``; the front-end is Whisper's own (the ``whisper_tiny_en``
recipe's), since the legacy feature keys describe other audio models.
"""

from __future__ import annotations

from typing import Any

from ovbuild.compat.hooks import inference_hook

#: Whisper's log-mel front-end with faster-whisper's padding, as in recipes/whisper_tiny_en.yaml.
WHISPER_FRONTEND = {
    "kind": "audio",
    "features": "whisper_log_mel",
    "sample_rate": 16000,
    "n_fft": 400,
    "hop_length": 160,
    "n_mels": 80,
    "input_name": "input_features",
    "input_layout": "NCT",
    "chunk_seconds": 30,
    "whisper_pad": "features",
}


def is_whisper(model: Any) -> bool:
    return (model.manifest.generation or {}).get("kind") == "speech"


@inference_hook
def transcribe(model: Any, data: Any, config: dict[str, Any]) -> dict[str, Any] | None:
    """``{"text": transcript}`` (``{"texts": [...]}`` for a list of clips) from a Whisper artifact."""
    if model.translation.model_type != "audio" or not is_whisper(model.runtime):
        return None
    if isinstance(data, list):
        return {"texts": [model.runtime.transcribe(item) for item in data]}
    return {"text": model.runtime.transcribe(data)}
