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

from ovbuild.bench._measure import timing_stats
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


def bench_speech(
    root: Path, manifest: Manifest, compare: bool, seconds: float, rounds: int | None = None
) -> dict[str, Any]:
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
        _time_engines(report, engines, clip, seconds, rounds)
    return report


def _time_engines(
    report: dict[str, Any],
    engines: dict[str, Callable[[Path], str]],
    clip: Path,
    seconds: float,
    rounds: int | None,
) -> None:
    """Each engine's transcript (its warm-up), then every engine in the same interleaved rounds.

    A transcription takes seconds, so a round times one call per engine: the median of the rounds
    is the figure, and the engines share the machine's load round by round."""
    from ovbuild.runtime.timing import ROUNDS, interleaved, machine

    for name, run in engines.items():
        report["transcripts"][name] = run(clip)
    rounds = rounds or ROUNDS
    timed = interleaved(
        {name: (lambda run=run: run(clip)) for name, run in engines.items()},
        rounds=rounds,
        seconds=max(seconds / rounds, 0.01),
        min_calls=1,
        warmup=0,
        what={name: {"inputs": report["inputs"], "call": "transcribe"} for name in engines},
    )
    report["machine"] = machine()
    for name, timing in timed.items():
        report["results"][name] = {"latency": {**timing_stats(timing, 1), "mode": "latency", "requests": 1}}
