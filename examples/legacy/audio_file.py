"""Audio processing with a file path: a speaker embedding straight from a WAV file.

The old backend's audio example: ``load_model`` with ``model_type: "audio"``, then
``run_inference`` on a file path with the feature settings (``sample_rate``, ``feature_type``,
``feature_size``, ``n_fft``, ``hop_length``) in its config. ovbuild compiles the mel front-end
into the model's graph (pinned to f32), so the artifact takes the waveform; the loader decodes
the file and resamples it. The model is resemblyzer's speaker encoder (40-band mel frames at
16 kHz) exported to IR. Only the import line and the model path differ from the old documentation.

Run: python examples/legacy/audio_file.py [SPEECH.wav] [--model MODEL.xml] [--store DIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _latency  # noqa: E402  (a sibling module of these examples)
import numpy as np

from ovbuild.compat import OpenVINOBackend  # was: from the legacy backends package

AUDIO = {"sample_rate": 16000, "feature_type": "mel", "feature_size": 40, "n_fft": 400, "hop_length": 160}


def export_ir(out_dir: str, frames: int = 160) -> str:
    """What the application did once: the speaker encoder as IR taking [1, 40 bands, frames]."""
    import openvino as ov
    import torch

    from ovbuild.factories.resemblyzer import speaker_encoder

    class BandsFirst(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, mel: torch.Tensor) -> torch.Tensor:
            return self.encoder(mel.transpose(1, 2))

    model = ov.convert_model(BandsFirst(speaker_encoder()).eval(), example_input=torch.zeros(1, 40, frames))
    model.reshape([1, 40, frames])  # a fixed 1.6 s window: the front-end is built for it
    path = Path(out_dir) / "speaker_encoder.xml"
    ov.save_model(model, str(path))
    return str(path)


def say(text: str, path: str, voice: str = "en") -> str:
    """Speech from espeak-ng (22.05 kHz WAV)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed: pass a speech file instead")
    subprocess.run([espeak, "-v", voice, "-w", path, text], check=True, capture_output=True)
    return path


def main(audio_path: str | None = None, model_path: str | None = None, store_root: str = "outputs") -> dict:
    tmp = tempfile.mkdtemp(prefix="legacy_audio_")
    model_path = model_path or export_ir(tmp)
    audio_path = audio_path or say("The quick brown fox jumps over the lazy dog.", f"{tmp}/speech.wav")
    backend = OpenVINOBackend({"store_root": store_root})
    loaded = backend.load_model("speaker", {"device": "CPU", "model_type": "audio", "model_path": model_path})
    print("load_model:", loaded["status"], loaded.get("error", loaded.get("artifact")))
    result = backend.run_inference("speaker", audio_path, AUDIO)
    if result["status"] == "success":
        (name, embedding), *_ = result["results"].items()
        print(f"{name}: {embedding.shape}, norm {np.linalg.norm(embedding):.3f}")
        print(
            "latency (decode, resample, mel, encoder):",
            _latency.report(backend, "speaker", audio_path, result, AUDIO),
        )
    else:
        print("error:", result["error"])
    return {
        "load": loaded,
        "inference": result,
        "info": backend.get_model_info("speaker"),
        "backend": backend,
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", nargs="?", help="a speech file (default: espeak-ng speech)")
    parser.add_argument("--model", help="the speaker encoder IR (default: exported from resemblyzer)")
    parser.add_argument("--store", default="outputs", help="ovbuild store root")
    cli = parser.parse_args()
    out = main(cli.audio, cli.model, cli.store)
    sys.exit(0 if out["inference"]["status"] == "success" else 1)
