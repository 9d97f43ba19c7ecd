"""Live transcription: the Silero VAD gates decoding, words are confirmed by the agreement of two
consecutive hypotheses, an utterance is confirmed whole once its silence is heard; and on the real
Whisper artifact, the streamed text of sentences with pauses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ovbuild.runtime.streaming import LiveTranscriber, Utterance, agreed_prefix, timed_stream
from ovbuild.runtime.vad import SileroVad
from ovbuild.runtime.word_timing import Word

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


def test_word_timestamps_move_words_onto_the_stream_clock(vad, line):
    """A scripted decoder times each word 0.3 s after the one before, from the utterance's start,
    each call on an utterance 0.1 s earlier than the call before. Confirmed pieces carry the words of their
    text, on the stream's clock, never before the words confirmed earlier."""
    calls = []

    def decode(samples, prompt):
        calls.append(prompt)
        words = SENTENCES[1 if prompt else 0].split()[: int(3 * len(samples) / 16000)]
        at = 0.3 - 0.1 * calls.count(prompt)  # this utterance's first word
        timed = tuple(Word(at + 0.3 * i, at + 0.3 * i + 0.25, f" {w}", 0.9) for i, w in enumerate(words))
        return Utterance(" ".join(words), (1, 2, 3), timed)

    live = LiveTranscriber(decode, vad, word_timestamps=True)
    pieces = [p for i in range(0, len(line.samples), 8000) for p in live.feed(line.samples[i : i + 8000])]
    pieces += live.finish()
    assert live.text == " ".join(SENTENCES)
    for piece in pieces:
        assert "".join(w.word for w in piece.words) == piece.text
        assert all(w.end <= piece.audio_end for w in piece.words)
    words = [w for p in pieces for w in p.words]
    assert all(w.start <= w.end for w in words)
    assert all(a.end <= b.start for a, b in zip(words, words[1:], strict=False))
    # Each utterance's first word is where its audio starts in the stream (0.2 s of padding before
    # the speech), not at 0.
    firsts = [words[0], words[len(SENTENCES[0].split())]]
    for first, (start, _) in zip(firsts, line.spans, strict=True):
        assert start - 0.3 <= first.start <= start + 0.15


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


@pytest.mark.slow
def test_streamed_words_of_real_speech(whisper_f32, vad_sequence_artifact: Path, line):
    """The two sentences fed in 0.5 s chunks with ``word_timestamps=True``: every confirmed
    piece's words join to its text, and the words come in order, each within its sentence."""
    live = whisper_f32.live_transcriber(vad_model=vad_sequence_artifact, word_timestamps=True)
    pieces = [p for _, p in timed_stream(live, line.samples, chunk_seconds=0.5)]
    words = [w for p in pieces for w in p.words]
    assert len(words) >= 0.7 * len(line.text.split())
    for piece in pieces:
        assert "".join(w.word for w in piece.words) == piece.text
        assert all(w.end <= piece.audio_end for w in piece.words)
    assert "".join(w.word for w in words).strip() == live.text
    assert all(w.start <= w.end for w in words)
    assert all(a.end <= b.start for a, b in zip(words, words[1:], strict=False))
    # Each word lies in the sentence it was said in (tiny.en's word times: within 0.3 s).
    for w in words:
        assert any(start - 0.3 <= w.start and w.end <= end + 0.3 for start, end in line.spans), w
