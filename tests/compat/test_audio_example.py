"""The old API's audio example: a file path in, a speaker embedding out, front-end in the graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.compat._helpers import example

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng for real speech"),
]


@pytest.fixture(scope="module")
def speaker_ir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return example("audio_file").export_ir(str(tmp_path_factory.mktemp("speaker")))


def test_audio_processing_with_a_file_path(shared_store: Path, speaker_ir: str, tmp_path: Path) -> None:
    module = example("audio_file")
    speech = module.say("The quick brown fox jumps over the lazy dog.", str(tmp_path / "a.wav"))
    out = module.main(audio_path=speech, model_path=speaker_ir, store_root=str(shared_store))
    assert out["load"]["status"] == "success", out["load"].get("error")
    result = out["inference"]
    assert result["status"] == "success", result.get("error")
    (emb,) = result["results"].values()
    assert emb.shape == (1, 256) and np.all(np.isfinite(emb))
    assert abs(float(np.linalg.norm(emb)) - 1.0) < 1e-3
    assert result["latency_ms"] > 0 and result["items"] == 1
    # the feature settings came with run_inference (as in the old example), so they chose a variant
    (variant,) = out["info"]["variants"]
    frontend = variant["frontend"]
    assert frontend["kind"] == "audio" and frontend["embedded"] is True
    assert (frontend["features"], frontend["n_mels"], frontend["n_fft"], frontend["hop_length"]) == (
        "mel",
        40,
        400,
        160,
    )

    # real speaker embeddings: the same voice on another sentence is nearer than another voice
    backend = out["backend"]
    same = module.say("Please call me back this afternoon.", str(tmp_path / "b.wav"))
    other = module.say("The quick brown fox jumps over the lazy dog.", str(tmp_path / "c.wav"), voice="en+f4")
    e_same = backend.run_inference("speaker", same, module.AUDIO)["results"]
    e_other = backend.run_inference("speaker", other, module.AUDIO)["results"]
    sim_same = float(emb.ravel() @ next(iter(e_same.values())).ravel())
    sim_other = float(emb.ravel() @ next(iter(e_other.values())).ravel())
    assert sim_same > sim_other, (sim_same, sim_other)

    # run_inference's audio keys select the front-end: other settings build (and cache) a variant
    changed = backend.run_inference("speaker", speech, {**module.AUDIO, "hop_length": 200})
    assert changed["status"] == "success", changed.get("error")
    (emb2,) = changed["results"].values()
    assert emb2.shape == (1, 256) and not np.allclose(emb2, emb)
    # the wrong modality is an error dict, not a crash
    wrong = backend.run_inference("speaker", "a sentence, not audio")
    assert wrong["status"] == "error" and "takes audio" in wrong["error"]
