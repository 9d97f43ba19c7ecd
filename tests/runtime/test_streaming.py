"""Live transcription: the Silero VAD gates decoding, words are confirmed by the agreement of two
consecutive hypotheses, an utterance is confirmed whole once its silence is heard; and on the real
Whisper artifact, the streamed text of sentences with pauses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.runtime.streaming import LiveTranscriber, agreed_prefix, timed_stream
from ovbuild.runtime.vad import SileroVad

SENTENCES = ["The birch canoe slid on the smooth planks.", "Rice is often served in round bowls."]


@pytest.fixture(scope="module")
def vad(vad_sequence_artifact: Path) -> SileroVad:
    return SileroVad.from_artifact(vad_sequence_artifact)


@pytest.fixture(scope="module")
def line():
    from ovbuild.speech.timeline import timeline

    try:
        return timeline(SENTENCES, [2.0, 1.5], lead=1.0)
    except RuntimeError as exc:
        pytest.skip(str(exc))


def test_words_agree_without_case_and_punctuation():
    assert agreed_prefix("The dog, ran".split(), "the dog. ran far".split()) == 3
    assert agreed_prefix("a b c".split(), "a x c".split()) == 1


def test_silence_is_never_decoded(vad):
    def decode(samples, prompt):
        raise AssertionError("decoded silence")

    live = LiveTranscriber(decode, vad)
    quiet = (0.003 * np.random.default_rng(0).standard_normal(16000 * 6)).astype(np.float32)
    assert [p for i in range(0, len(quiet), 8000) for p in live.feed(quiet[i : i + 8000])] == []
    assert live.finish() == [] and live.text == ""


def test_agreement_confirms_and_each_utterance_ends_after_its_silence(vad, line):
    """A scripted decoder (3 words a second of the sentence being spoken) shows exactly what
    agreement confirms, and when."""
    seen = []

    def decode(samples, prompt):
        seen.append((len(samples) / 16000, prompt))
        words = SENTENCES[1 if prompt else 0].split()
        return " ".join(words[: int(3 * len(samples) / 16000)]), (1, 2, 3)

    live = LiveTranscriber(decode, vad, min_silence_ms=500, step_seconds=1.0)
    pieces = [p for i in range(0, len(line.samples), 8000) for p in live.feed(line.samples[i : i + 8000])]
    pieces += live.finish()
    finals = [i for i, p in enumerate(pieces) if p.final]
    assert len(finals) == 2  # one utterance per sentence: the pause splits them
    for i, (_, end) in zip(finals, line.spans, strict=True):
        assert end < pieces[i].audio_end < end + 1.0  # after the sentence, once 0.5 s of silence is heard
    for sentence, (begin, last) in zip(SENTENCES, [(0, finals[0]), (finals[0] + 1, finals[1])], strict=True):
        utterance = pieces[begin : last + 1]
        assert "".join(p.text for p in utterance).strip() == sentence  # confirmed pieces add up, no repeats
        assert utterance[0].text and not utterance[0].final  # words confirmed before the sentence ended
    assert live.text == " ".join(SENTENCES)
    assert all(length <= 30 for length, _ in seen)
    assert seen[0][1] == () and seen[-1][1] == (1, 2, 3)  # later utterances are prompted with earlier ids


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first user of the Whisper artifact builds it
def test_streamed_text_of_real_speech(whisper_artifact: Path, vad_sequence_artifact: Path, line):
    from ovbuild.runtime import import_loader
    from ovbuild.speech.wer import word_error_rate

    model = import_loader(whisper_artifact).load()
    try:
        offline = model.transcribe((line.samples, 16000))
        live = model.live_transcriber(vad_model=vad_sequence_artifact)
        events = timed_stream(live, line.samples, chunk_seconds=0.5)
    finally:
        model.close()
    text = "".join(piece.text for _, piece in events).strip()
    assert text == live.text
    # tiny.en on espeak-ng, one utterance at a time, is rough (0.47 measured); a lost or repeated
    # utterance would be far worse.
    assert word_error_rate([line.text], [text]) <= 0.55, text
    assert word_error_rate([offline], [text]) <= 0.55, (offline, text)
    assert len(text.split()) >= 0.7 * len(line.text.split())
    finals = [(clock, piece) for clock, piece in events if piece.final]
    assert len(finals) == len(SENTENCES)
    for (clock, piece), (_, end) in zip(finals, line.spans, strict=True):
        assert clock > end and piece.audio_end > end
