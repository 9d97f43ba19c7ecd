"""``transcribe(vad_filter=True)`` on speech with long pauses: the silence is removed by the Silero
VAD artifact found beside the Whisper artifact in its store, the text stays, and segment times are
those of the original audio."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovbuild.config import BUNDLED

pytestmark = pytest.mark.slow
HARVARD = (BUNDLED / "data" / "harvard_sentences.txt").read_text().splitlines()


@pytest.fixture(scope="module")
def paused():
    """Four sentences, each followed by 7 s of silence: about 75% of the file is silent."""
    from ovbuild.speech.timeline import timeline

    try:
        return timeline(HARVARD[:4], [7.0] * 4, lead=3.0)
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def whisper(whisper_artifact: Path, vad_sequence_artifact: Path):
    from ovbuild.runtime import import_loader

    model = import_loader(whisper_artifact).load()
    # In one store the VAD is found beside the Whisper artifact; a prebuilt one (DEVSTORE) is told.
    same_store = vad_sequence_artifact.parent.parent == whisper_artifact.parent.parent
    model.vad = {} if same_store else {"vad_model": vad_sequence_artifact}
    yield model
    model.close()


@pytest.mark.timeout(900)  # the first user of the Whisper artifact builds it
def test_vad_filter_keeps_the_text_and_maps_times_back(whisper, paused, vad_artifact: Path):
    from ovbuild.speech.wer import word_error_rate

    audio = (paused.samples, 16000)
    plain = whisper.transcribe(audio)
    filtered = whisper.transcribe(audio, timestamps=True, vad_filter=True, **whisper.vad)
    assert word_error_rate([paused.text], [filtered.text]) <= word_error_rate([paused.text], [plain]) + 0.05
    assert word_error_rate([paused.text], [filtered.text]) <= 0.25, (plain, filtered.text)
    # Times are of the original file: each segment overlaps a spoken sentence, and the last one
    # ends near the last sentence (without the mapping it would end ~25 s earlier).
    spans = paused.spans
    for segment in filtered.segments:
        assert any(segment.start < end + 0.5 and segment.end > start - 0.5 for start, end in spans), segment
    assert abs(filtered.segments[-1].end - spans[-1][1]) < 1.0
    assert filtered.segments[0].start >= spans[0][0] - 0.6
    # The one-window Silero model (recipes/silero_vad.yaml), passed explicitly, finds the same speech.
    again = whisper.transcribe(audio, timestamps=True, vad_filter=True, vad_model=vad_artifact)
    assert again == filtered


def test_vad_filter_on_silence_gives_no_text_and_bad_options_fail_clearly(whisper, paused):
    import numpy as np

    quiet = (0.002 * np.random.default_rng(0).standard_normal(16000 * 8)).astype(np.float32)
    assert whisper.transcribe((quiet, 16000), vad_filter=True, **whisper.vad) == ""
    # VadError (a ValueError) of the artifact's own runtime copy
    with pytest.raises(ValueError, match="unknown option"):
        whisper.transcribe((paused.samples, 16000), vad_filter=True, vad_parameters={"treshold": 0.3})
    with pytest.raises(ValueError, match="not an artifact directory"):
        whisper.transcribe((paused.samples, 16000), vad_filter=True, vad_model="/nonexistent")


def test_vad_filter_word_timestamps_lie_in_the_spoken_sentences(whisper, paused):
    """Word times are mapped back to the original audio word by word (each in the speech span
    holding its middle), so every word falls inside a spoken sentence, never in the silence (give
    or take the VAD's 0.4 s of padding around speech, where a sentence's last word may end)."""
    audio = (paused.samples, 16000)
    filtered = whisper.transcribe(audio, vad_filter=True, word_timestamps=True, **whisper.vad)
    words = [w for s in filtered.segments for w in s.words]
    assert len(words) >= 20
    assert "".join(w.word for w in words).strip() == filtered.text
    for word in words:
        assert word.start <= word.end
        assert any(start - 0.7 <= word.start and word.end <= end + 0.7 for start, end in paused.spans), word
    for segment in filtered.segments:
        assert (segment.start, segment.end) == (segment.words[0].start, segment.words[-1].end)
    # The last word ends near the end of the last sentence (unmapped it would be ~25 s earlier).
    assert abs(words[-1].end - paused.spans[-1][1]) < 0.7
