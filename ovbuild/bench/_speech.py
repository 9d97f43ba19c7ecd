"""``ovbuild bench`` on a speech-to-text artifact: audio file in, text out, end to end.

The clip is spoken by espeak-ng (the Harvard sentences shipped in ``data/``) and written once as
a 16 kHz WAV, so every engine decodes the same samples. With ``--compare``, faster-whisper int8
and float32 run the artifact's own CTranslate2 weights (a ``ctranslate2`` source), greedy, on 2
threads; the report says whether their transcripts equal the artifact's.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovbuild.bench._measure import bench_callable
from ovbuild.config.sections import source_of
from ovbuild.errors import ArtifactError
from ovbuild.runtime.manifest import Manifest


def is_speech(manifest: Manifest) -> bool:
    return (manifest.generation or {}).get("kind") == "speech"


def speech_clip(folder: Path, sentences: int = 3) -> Path:
    """A 16 kHz WAV of the first ``sentences`` Harvard sentences, spoken by espeak-ng."""
    import soundfile as sf

    from ovbuild.config import BUNDLED
    from ovbuild.runtime.audio import audio_decode

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise ArtifactError("bench: a speech-to-text artifact is measured on speech; install espeak-ng")
    text = " ".join((BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()[:sentences])
    raw = folder / "speech_raw.wav"
    subprocess.run(
        [espeak, "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True, capture_output=True
    )
    samples, _ = audio_decode(str(raw), 16000)
    sf.write(folder / "speech.wav", samples, 16000, subtype="PCM_16")
    return folder / "speech.wav"


def _faster_whisper(weights: Path, compute_type: str) -> Callable[[Path], str]:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(weights), device="cpu", compute_type=compute_type, cpu_threads=2)

    def run(clip: Path) -> str:
        # The artifact's transcribe defaults are faster-whisper's, greedy.
        segments, _ = model.transcribe(str(clip), beam_size=1)
        return "".join(s.text for s in segments).strip()

    return run


def bench_speech(root: Path, manifest: Manifest, compare: bool, seconds: float) -> dict[str, Any]:
    """``{"results": {engine: {"latency": stats}}, "transcripts", "errors", ...}`` for the report."""
    from ovbuild.runtime import import_loader

    report: dict[str, Any] = {"results": {}, "errors": {}, "transcripts": {}}
    with tempfile.TemporaryDirectory(prefix="ovbuild_bench_speech_") as tmp:
        clip = speech_clip(Path(tmp))
        model = import_loader(root).load()
        report["device"] = model.device
        report["inputs"] = {"speech.wav": "espeak-ng, 16 kHz"}
        engines: dict[str, Callable[[Path], str]] = {"artifact": model.transcribe}
        kind = source_of(manifest.source)
        weights = kind.faster_whisper_dir(manifest.source) if kind is not None else None
        if compare and weights is not None:
            for compute in ("int8", "float32"):
                try:
                    engines[f"faster-whisper {compute}"] = _faster_whisper(weights, compute)
                except Exception as exc:  # a missing anchor is reported, the artifact still measured
                    report["errors"][f"faster-whisper {compute}"] = f"{type(exc).__name__}: {exc}"
        elif compare:
            report["errors"]["faster-whisper"] = "only for ctranslate2 sources (the same weights)"
        for name, run in engines.items():
            report["transcripts"][name] = run(clip)
            report["results"][name] = {
                "latency": bench_callable(lambda run=run: run(clip), seconds=seconds, desc=name)
            }
    return report
