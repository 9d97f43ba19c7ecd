"""Host-side input preparation: natural inputs (strings, audio, images) -> named tensors.

What the graph cannot do runs here: host tokenization when the tokenizer is not in the graph,
decoding audio files, decoding image files. Safe to call from many threads.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from .audio import audio_prepare_batch
from .image import HostImageSteps
from .inputs import InputError, refuse_special_file, text_items
from .manifest import Manifest
from .text import host_encode, host_tokenizer


class HostInputs:
    """Turns one natural input into the named tensors of an artifact's model."""

    def __init__(self, artifact_dir: Path, manifest: Manifest, input_names: list[str]) -> None:
        self.artifact_dir = artifact_dir
        self.manifest = manifest
        self.frontend = manifest.frontend or {}
        self.input_names = input_names
        self._tokenizer: Any = None
        self._tokenizer_lock = threading.Lock()

    @property
    def embedded_audio(self) -> bool:
        return self.frontend.get("kind") == "audio" and bool(self.frontend.get("embedded"))

    @property
    def waveform_length(self) -> int:
        return int(self.manifest.inputs[0]["shape"][-1])

    def prepare(self, item: Any) -> dict[str, Any]:
        """Named tensors for one item: a dict of named arrays passes through (checked later)."""
        if isinstance(item, dict):
            return dict(item)
        kind, embedded = self.frontend.get("kind"), self.frontend.get("embedded")
        if kind == "audio" and embedded:
            return {self.input_names[0]: self.waveform(item)}
        if kind == "image":
            batch = images(item)
            if self.frontend.get("input_dtype") == "f32":
                batch = batch.astype(np.float32)
            return {self.input_names[0]: batch if embedded else self._image_steps(batch)}
        if kind == "text":
            texts = text_items(item)
            if embedded:
                return {self.input_names[0]: np.array(texts)}
            return self.tokenize(texts)
        if len(self.input_names) != 1:
            raise InputError(
                f"this model has inputs {self.input_names}: pass a dict of named arrays, "
                f"not a {type(item).__name__}"
            )
        return {self.input_names[0]: item}

    def _image_steps(self, batch: np.ndarray) -> np.ndarray:
        """The image front-end host-side (``embed: false``): its steps' IR shipped in ``assets/``."""
        with self._tokenizer_lock:
            if getattr(self, "_host_image", None) is None:
                self._host_image = HostImageSteps(self.artifact_dir)
        return self._host_image(batch)

    def waveform(self, item: Any) -> np.ndarray:
        """``[rows, samples]``: one row when padding, one per chunk otherwise."""
        waves, _, _ = audio_prepare_batch([item], self.frontend, self.waveform_length)
        return waves

    def tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Host-side tokenization with ``tokenizers`` when the tokenizer is not in the graph."""
        return host_encode(self._host_tokenizer(), texts, self.input_names)

    def _host_tokenizer(self) -> Any:
        with self._tokenizer_lock:
            if self._tokenizer is None:
                found = [
                    d / "tokenizer.json"
                    for d in (self.artifact_dir / "assets", self.artifact_dir)
                    if (d / "tokenizer.json").is_file()
                ]
                if not found:
                    raise FileNotFoundError(f"no tokenizer.json in {self.artifact_dir} or its assets/")
                # artifacts built before padding was recorded padded to max_length
                padding = self.frontend.get("padding", "max_length")
                self._tokenizer = host_tokenizer(found[0], int(self.frontend.get("max_length", 128)), padding)
            return self._tokenizer


def images(item: Any) -> np.ndarray:
    """RGB uint8 ``[N, H, W, 3]`` from an image path, an ``[H, W, 3]`` array or a batch of them."""
    if isinstance(item, (str, Path)):
        refuse_special_file(item, f"image {str(item)!r}")
        try:
            from PIL import Image
        except ImportError as exc:
            msg = "decoding image files needs Pillow; pass an RGB uint8 array instead"
            raise ImportError(msg) from exc
        with Image.open(item) as image:
            item = np.asarray(image.convert("RGB"))
    batch = np.asarray(item)
    if batch.ndim == 3:
        batch = batch[None]
    if batch.ndim != 4 or batch.shape[-1] != 3:
        raise InputError(f"expected RGB images [H, W, 3] or [N, H, W, 3], got shape {batch.shape}")
    if batch.dtype != np.uint8:
        batch = np.clip(batch, 0, 255).astype(np.uint8)
    return batch
