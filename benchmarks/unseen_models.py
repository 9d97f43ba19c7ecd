"""Inputs and task metrics for four real models ovbuild was never tuned on (issue 25's measurement).

Each model ships in a pip package the project did not use them from before:

- ``ppocr_rec``: PP-OCRv4's CTC text recognizer (rapidocr-onnxruntime), read on text lines rendered
  from the shipped sentences in matplotlib's DejaVu fonts; scored by greedy CTC strings.
- ``face_landmark``: MediaPipe's 468-point face mesh (mediapipe), on jittered crops of the two
  faces in the shipped photos; scored by landmark error in pixels of its 192x192 input.
- ``pose_detector``: MediaPipe's BlazePose person detector (mediapipe), on random crops of the
  shipped photos; scored by agreement of the anchors it fires at (logit > 0).
- ``speech_embedding``: Google's speech embedding in openWakeWord 0.4.0, on espeak-ng speech of
  the shipped sentences through openWakeWord's own mel front-end; scored by cosine.

Every generator yields one item per sentence or crop seed: ovbuild's seeded split keeps the
``holdout`` items (other sentences, other crops) out of calibration. The recipes in
``benchmarks/recipes`` name these functions as ``unseen_models:...`` (benchmarks/ on ``sys.path``).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.config import package_file


def _sentences() -> list[str]:
    lines = Path(package_file("ovbuild", "_bundled/data/sentences.txt")).read_text().splitlines()
    return [s.strip() for s in lines if s.strip()]


# ---- PP-OCRv4 CTC recognizer -------------------------------------------------------------------

_FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf",
          "DejaVuSans-Oblique.ttf", "DejaVuSerif-Italic.ttf")  # fmt: skip


def text_lines(count: int = 400, seed: int = 0) -> Iterator[dict[str, np.ndarray]]:
    """``x`` ``[1, 3, 48, 320]``: a rendered text line (up to 28 characters of a sentence), PP-OCR's
    recognizer preprocessing (height 48, width by aspect up to 320, (v/255 - 0.5) / 0.5, zero pad)."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    fonts = [package_file("matplotlib", f"mpl-data/fonts/ttf/{f}") for f in _FONTS]
    sentences = _sentences()
    for i in range(count):
        words = sentences[i % len(sentences)].split()
        start = int(rng.integers(0, max(1, len(words) - 3)))
        text = " ".join(words[start:])[:28].strip()
        font = ImageFont.truetype(fonts[i % len(fonts)], int(rng.integers(26, 40)))
        left, top, right, bottom = font.getbbox(text)
        pad = int(rng.integers(4, 12))
        bg = int(rng.integers(170, 256))
        image = Image.new("L", (right + 2 * pad, bottom + 2 * pad), bg)
        ImageDraw.Draw(image).text((pad - left, pad), text, fill=int(rng.integers(0, 90)), font=font)
        arr = np.asarray(image, np.float32) + rng.normal(0, rng.uniform(0, 8), (image.height, image.width))
        image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGB")
        width = min(320, max(8, int(round(48 * image.width / image.height))))
        line = np.asarray(image.resize((width, 48), Image.BILINEAR), np.float32) / 255.0
        x = np.zeros((3, 48, 320), np.float32)
        x[:, :, :width] = ((line - 0.5) / 0.5).transpose(2, 0, 1)
        yield {"x": x[None]}


def ctc_strings(outputs: list[np.ndarray]) -> list[tuple[int, ...]]:
    """Greedy CTC per sample: argmax over the class axis, repeats collapsed, blanks (0) dropped."""
    strings = []
    for probs in outputs:
        best = np.asarray(probs).reshape(-1, np.asarray(probs).shape[-1]).argmax(-1)
        keep = np.concatenate([[True], best[1:] != best[:-1]]) & (best != 0)
        strings.append(tuple(int(c) for c in best[keep]))
    return strings


def ctc_string_agreement(refs: list[list[np.ndarray]], cands: list[list[np.ndarray]]) -> float:
    """Share of samples whose decoded string is exactly the reference's."""
    a, b = ctc_strings([r[0] for r in refs]), ctc_strings([c[0] for c in cands])
    return float(np.mean([x == y for x, y in zip(a, b, strict=True)]))


# ---- MediaPipe face landmarks ------------------------------------------------------------------

# (package, photo, face centre x, y, face size in px): read off the shipped photos.
_FACES = (
    ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg", 265, 232, 215),
    ("skimage", "data/astronaut.png", 223, 118, 105),
)


def face_crops(count: int = 160, seed: int = 0) -> Iterator[dict[str, np.ndarray]]:
    """``input_1`` ``[1, 192, 192, 3]`` in [0, 1]: the two faces, each crop jittered in scale,
    position, rotation, mirror and brightness."""
    from PIL import Image

    photos = [(Image.open(package_file(p, f)).convert("RGB"), cx, cy, s) for p, f, cx, cy, s in _FACES]
    rng = np.random.default_rng(seed)
    for i in range(count):
        image, cx, cy, size = photos[i % len(photos)]
        side = size * rng.uniform(1.4, 1.9)
        cx, cy = cx + rng.normal(0, 0.06) * size, cy + rng.normal(0, 0.06) * size
        rotated = image.rotate(rng.uniform(-20, 20), resample=Image.BILINEAR, center=(cx, cy))
        box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        crop = rotated.crop(tuple(int(v) for v in box)).resize((192, 192), Image.BILINEAR)
        if rng.random() < 0.5:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        arr = np.asarray(crop, np.float32) / 255.0 * rng.uniform(0.7, 1.2)
        yield {"input_1": np.clip(arr, 0, 1)[None].astype(np.float32)}


def landmark_error_px(outputs: list[list[np.ndarray]], refs: list[list[np.ndarray]]) -> np.ndarray:
    """Per sample, the mean distance (px of the 192x192 input) of the 468 landmarks' x, y."""
    a = np.stack([np.asarray(o[0]).reshape(468, 3)[:, :2] for o in outputs])
    b = np.stack([np.asarray(r[0]).reshape(468, 3)[:, :2] for r in refs])
    return np.linalg.norm(a - b, axis=-1).mean(-1)


def landmark_score(refs: list[list[np.ndarray]], cands: list[list[np.ndarray]]) -> float:
    """Minus the mean landmark error in px (higher is better; the reference scores 0), or minus
    the 192 px frame when the face-presence decision (logit > 0) of any sample flips."""
    flips = sum(
        (np.asarray(r[1]).item() > 0) != (np.asarray(c[1]).item() > 0)
        for r, c in zip(refs, cands, strict=True)
    )
    return -192.0 if flips else -float(np.mean(landmark_error_px(cands, refs)))


# ---- MediaPipe BlazePose person detector -------------------------------------------------------


def pose_inputs(count: int = 160, seed: int = 0) -> Iterator[dict[str, np.ndarray]]:
    """``input_1`` ``[1, 224, 224, 3]`` in [-1, 1]: random crops of the shipped photos (people,
    animals, objects, text), as the detector sees whole frames."""
    from ovbuild.factories.photo_crops import scene_images

    for crop in scene_images(count=count, seed=seed, size=(224, 224)):
        yield {"input_1": (crop.astype(np.float32) / 127.5 - 1.0).astype(np.float32)}


def fired_anchors(outputs: list[list[np.ndarray]]) -> list[set[int]]:
    """Per sample, the anchors whose score logit is above 0 (probability above 0.5)."""
    return [set(np.flatnonzero(np.asarray(o[1]).reshape(-1) > 0).tolist()) for o in outputs]


def anchor_agreement(refs: list[list[np.ndarray]], cands: list[list[np.ndarray]]) -> float:
    """Mean over samples of the IoU of the fired-anchor sets (1 when neither fires)."""
    scores = []
    for a, b in zip(fired_anchors(refs), fired_anchors(cands), strict=True):
        scores.append(1.0 if not (a | b) else len(a & b) / len(a | b))
    return float(np.mean(scores))


# ---- openWakeWord speech embedding -------------------------------------------------------------

_VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+m7", "en-gb+f2")


def _speech(text: str, voice: str, speed: int) -> np.ndarray:
    """``text`` spoken by espeak-ng, 16 kHz mono float32 in [-1, 1]."""
    import soundfile as sf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
        audio, rate = sf.read(path, dtype="float32")
    if rate != 16000:
        import soxr

        audio = soxr.resample(audio, rate, 16000)
    return audio.astype(np.float32)


def speech_windows(count: int = 200, seed: int = 0) -> Iterator[dict[str, np.ndarray]]:
    """``input_1`` ``[1, 76, 32, 1]``: 76 mel frames (openWakeWord's own ``melspectrogram.onnx``
    and its ``x / 10 + 2`` scaling) of espeak-ng speech of one sentence, at a random offset."""
    import openvino as ov

    mel = ov.Core().compile_model(package_file("openwakeword", "resources/models/melspectrogram.onnx"), "CPU")
    rng = np.random.default_rng(seed)
    sentences = _sentences()
    for i in range(count):
        audio = _speech(sentences[i % len(sentences)], _VOICES[i % len(_VOICES)], int(rng.integers(130, 200)))
        audio = audio * rng.uniform(0.3, 1.0) + rng.normal(0, rng.uniform(0, 0.01), audio.shape)
        frames = np.asarray(mel(((audio * 32767).astype(np.float32))[None])[0]).reshape(-1, 32) / 10 + 2
        if len(frames) < 76:
            frames = np.pad(frames, ((0, 76 - len(frames)), (0, 0)), constant_values=frames.min())
        start = int(rng.integers(0, len(frames) - 76 + 1))
        yield {"input_1": frames[start : start + 76][None, :, :, None].astype(np.float32)}


def data_ready() -> dict[str, Any]:
    """Quick look at one item of each generator (shapes), for a smoke run of the benchmark."""
    return {
        name: {k: v.shape for k, v in next(gen()).items()}
        for name, gen in (("ppocr_rec", text_lines), ("face_landmark", face_crops),
                          ("pose_detector", pose_inputs), ("speech_embedding", speech_windows))
    }  # fmt: skip
