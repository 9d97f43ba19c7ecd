"""Speech test material made with espeak-ng: a long file of sentences with pauses, noisy mixes
(babble, white noise at a chosen SNR), 8 kHz copies and clips in other languages. Shared by the
Whisper tests and ``benchmarks/bench_whisper.py``; everything is deterministic (seeded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

SR = 16000
ESPEAK = shutil.which("espeak-ng")

#: Plain sentences for the long file (42, like the file the issue was found on).
LONG_SENTENCES = (
    "The old bridge was closed for repairs last winter.",
    "She packed two sandwiches and an apple for the trip.",
    "Our train leaves the station at half past seven.",
    "The children built a small boat from pieces of wood.",
    "A cold wind blew across the empty parking lot.",
    "He forgot his umbrella on the bus this morning.",
    "The library opens early on Saturday and Sunday.",
    "We painted the kitchen walls a pale shade of green.",
    "The farmer sold fresh eggs at the market.",
    "Please turn off the lights when you leave the room.",
    "The doctor asked him to drink more water every day.",
    "A black cat slept on the warm stone steps.",
    "The museum has a large collection of old maps.",
    "They planted tomatoes and beans in the garden.",
    "The storm knocked down three trees on our street.",
    "My brother plays the piano in a small band.",
    "The soup needs a little more salt and pepper.",
    "We watched the sun rise over the quiet lake.",
    "The teacher wrote the answer on the board.",
    "Nobody noticed the letter under the door.",
    "The baker opens his shop before the sun comes up.",
    "Fresh bread smells wonderful in the morning.",
    "The river was too deep to cross on foot.",
    "She found her keys in the pocket of her coat.",
    "The plane landed safely despite the heavy rain.",
    "He reads the newspaper every evening after dinner.",
    "The dog chased a ball across the green field.",
    "Our neighbors invited us to a picnic in the park.",
    "The price of coffee went up again this month.",
    "A small bird sang outside the open window.",
    "The meeting was moved to the second floor.",
    "They walked along the beach until it was dark.",
    "The clock on the wall stopped at noon.",
    "Please bring a pencil and a notebook to class.",
    "The mountain road was covered with fresh snow.",
    "The car needs new tires before the long drive.",
    "She wrote a short story about a lost kitten.",
    "The workers finished the roof before the rain.",
    "We need more chairs for the guests tonight.",
    "The lamp in the hall gives a soft yellow light.",
    "He carried the heavy box up the narrow stairs.",
    "The last bus of the night was almost empty.",
)

#: A few sentences per language for detection and language= tests (espeak-ng voice, code).
OTHER_LANGUAGES = {
    "de": ("de", "Das Wetter ist heute sehr schön und die Sonne scheint über der Stadt."),
    "fr": ("fr-fr", "Le petit garçon mange une pomme rouge dans le jardin de sa grand-mère."),
    "es": ("es", "Mi hermana trabaja en un hospital grande en el centro de la ciudad."),
    "it": ("it", "Il treno per Roma parte alle otto di mattina dalla stazione centrale."),
}


def speak(text: str, voice: str = "en-us", speed: int = 150) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz mono float32 (soxr resampling)."""
    import soundfile as sf
    import soxr

    if ESPEAK is None:
        raise RuntimeError("espeak-ng is not installed")
    raw = subprocess.run(
        [ESPEAK, "-v", voice, "-s", str(speed), "--stdout", text], check=True, capture_output=True
    ).stdout
    import io

    samples, rate = sf.read(io.BytesIO(raw), dtype="float32")
    return soxr.resample(samples, rate, SR).astype(np.float32)


def long_file(sentences: tuple[str, ...] = LONG_SENTENCES, seed: int = 0) -> tuple[np.ndarray, list[tuple]]:
    """The sentences one after another with 1-3 s pauses (two voices taking turns).

    Returns:
        ``(samples, spans)``: 16 kHz audio and each sentence's ``(start s, end s, text)``.
    """
    rng = np.random.default_rng(seed)
    pieces, spans, at = [], [], 0
    for i, text in enumerate(sentences):
        pause = np.zeros(int(rng.uniform(1.0, 3.0) * SR), np.float32)
        voice = speak(text, "en-us" if i % 2 == 0 else "en-gb")
        pieces += [pause, voice]
        spans.append(((at + len(pause)) / SR, (at + len(pause) + len(voice)) / SR, text))
        at += len(pause) + len(voice)
    pieces.append(np.zeros(SR, np.float32))
    return np.concatenate(pieces), spans


def babble(length: int, seed: int = 1) -> np.ndarray:
    """Babble noise: four talkers saying other sentences at once."""
    rng = np.random.default_rng(seed)
    out = np.zeros(length, np.float32)
    for talker, voice in enumerate(("en-us", "en-gb", "en-us-nyc", "en-gb-x-rp")):
        order = rng.permutation(len(LONG_SENTENCES))
        stream = np.concatenate([speak(LONG_SENTENCES[i], voice, 140 + 10 * talker) for i in order[:6]])
        stream = np.tile(stream, length // len(stream) + 1)
        start = int(rng.integers(0, len(stream) - length + 1))
        out += stream[start : start + length]
    return out


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech`` plus ``noise`` scaled to ``snr_db`` (power ratio over the speech's active part),
    scaled down together when the sum would clip."""
    active = speech[np.abs(speech) > 1e-3]
    gain = np.sqrt(np.mean(active**2) / (np.mean(noise**2) * 10 ** (snr_db / 10)))
    out = speech + gain * noise[: len(speech)]
    peak = float(np.abs(out).max())
    return (out / peak * 0.9 if peak > 0.9 else out).astype(np.float32)


def white(length: int, seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(length).astype(np.float32)


def write(path: Path, samples: np.ndarray, rate: int = SR) -> Path:
    """A 16-bit WAV of ``samples`` (16 kHz) at ``rate`` (resampled with soxr when not 16 kHz)."""
    import soundfile as sf
    import soxr

    data = samples if rate == SR else soxr.resample(samples, SR, rate)
    sf.write(path, data, rate, subtype="PCM_16")
    return path
