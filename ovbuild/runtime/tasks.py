"""The model classes of particular tasks, on the shared :class:`~.model.Model` base.

``load()`` returns the class the manifest's task asks for (:func:`model_class`), so a model has
the methods its task supports and no others: sentences in for :class:`EmbeddingModel`
(``encode``), speech for :class:`SpeechModel` (``transcribe``, ``detect_language``,
``live_transcriber``), text generation for :class:`TextGenerationModel` (``generate``,
``stream``), class names for :class:`ClassifierModel` (``classify``), boxes for
:class:`DetectorModel` (``detect``). Everything else (calls,
batches, sessions, sub-models, batchers, teardown, ``bench``) is the base's, for every artifact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .detection import decoder_for, scored_detections, to_image_pixels
from .generate import GenerationConfig, TextGenerator
from .inputs import InputError, text_items
from .manifest import Manifest
from .model import Model
from .prepare import images as image_batch
from .text import run_sorted


class EmbeddingModel(Model):
    """A text model with a tokenizer (in the graph or host-side): strings in, vectors out."""

    def encode(self, texts: list[str], batch_size: int = 32) -> dict[str, np.ndarray]:
        """Many sentences of a text model: one output row per sentence, in input order.

        Sentences run in batches of ``batch_size`` sorted by length (as sentence-transformers
        does), so with padding to the longest sentence of a batch few pad tokens are computed.
        """
        return run_sorted(text_items(texts), batch_size, lambda batch: self(batch))


class ClassifierModel(Model):
    """A classifier whose artifact carries its class names (``id2label``): inputs in, the most
    likely labels out."""

    def classify(self, items: list[Any], top_k: int = 5) -> list[list[tuple[str, float]]]:
        """The ``top_k`` labels of each item, most likely first, with their probabilities (the
        softmax of the output that has one score per label).

        >>> model.classify(["a fine day"], top_k=2)  # doctest: +SKIP
        [[('positive', 0.81), ('neutral', 0.12)]]
        """
        labels = self.labels or []
        if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
            raise TypeError("classify takes a list of items (one string, image or array per item)")
        if int(top_k) < 1:
            raise ValueError(f"top_k must be at least 1, not {top_k}")
        ranked = []
        for outputs in self.infer_batch(list(items)):
            scores = _label_scores(outputs, len(labels))
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            best = np.argsort(-probabilities, kind="stable")[: int(top_k)]
            ranked.append([(labels[i], float(probabilities[i])) for i in best])
        return ranked


def _label_scores(outputs: dict[str, np.ndarray], n_labels: int) -> np.ndarray:
    """The one output of an item with a score per label, as float64 ``[n_labels]``."""
    for value in outputs.values():
        scores = np.asarray(value, dtype=np.float64)
        if scores.size == n_labels and scores.shape[-1] == n_labels:
            return scores.reshape(n_labels)
    shapes = {name: list(np.shape(v)) for name, v in outputs.items()}
    raise ValueError(f"no output has one score per label ({n_labels} labels; outputs {shapes})")


class TextClassifierModel(ClassifierModel, EmbeddingModel):
    """A text classifier: ``classify`` for its labels, ``encode`` for its raw outputs in batches."""


def _is_classifier(manifest: Manifest) -> bool:
    """Labels that name classes: a classification task's, or any that are not transformers'
    placeholders (``LABEL_0``, ``LABEL_1``, which every config carries by default)."""
    labels = manifest.labels or []
    if not labels:
        return False
    if "classification" in str(manifest.task or ""):
        return True
    return labels != [f"LABEL_{i}" for i in range(len(labels))]


class DetectorModel(Model):
    """A detector (``postprocess: {kind: detection}``): images in, labelled boxes out."""

    def detect(
        self, images: list[Any], score_threshold: float | None = None, nms_iou: float | None = None
    ) -> list[list[tuple[str | int, float, tuple[float, float, float, float]]]]:
        """Per image, its detections best first: ``(label, score, (x1, y1, x2, y2))``, the box in
        the image's own pixels. The decode and per-class NMS are validate's ``detection`` metric's;
        ``score_threshold`` and ``nms_iou`` default to the recipe's ``postprocess``. A label is the
        class name, or the class id when the recipe names no classes.

        >>> model.detect(["street.jpg"], score_threshold=0.5)  # doctest: +SKIP
        [[('FACE_FEMALE', 0.83, (212.4, 80.1, 301.9, 190.6))]]
        """
        post = self.manifest.postprocess or {}
        threshold = float(post.get("score_threshold", 0.25) if score_threshold is None else score_threshold)
        overlap = float(post.get("nms_iou", 0.5) if nms_iou is None else nms_iou)
        names = post.get("labels") or self.labels or []
        one_array = isinstance(images, np.ndarray) and images.ndim != 4  # one image, not [N, H, W, 3]
        if one_array or isinstance(images, (str, bytes, dict, Path)) or not hasattr(images, "__iter__"):
            raise TypeError("detect takes a list of images (paths or RGB uint8 arrays [H, W, 3])")
        decode = decoder_for(post.get("decode"))
        pixels = [image_batch(item) for item in images]
        if any(len(batch) != 1 for batch in pixels):
            raise InputError("detect takes one image per item ([H, W, 3] or a path), not a batch")
        found = []
        for batch, outputs in zip(pixels, self.infer_batch(pixels), strict=True):
            height, width = batch.shape[1:3]
            decoded = decode([outputs[name] for name in self.output_names])
            boxes, classes, scores = scored_detections(decoded, threshold, overlap)
            boxes = to_image_pixels(boxes, height, width, self.frontend)
            order = np.argsort(-scores, kind="stable")
            found.append(
                [
                    (names[classes[i]] if classes[i] < len(names) else int(classes[i]), float(scores[i]),
                     tuple(float(v) for v in boxes[i]))
                    for i in order
                ]
            )  # fmt: skip
        return found


class SpeechModel(Model):
    """A Whisper artifact: audio files or waveforms in, text out."""

    _transcriber: Any = None  # made on the first call (it compiles the decoder)

    def transcribe(self, audio: Any, **options: Any) -> Any:
        """Speech to text with a Whisper artifact; see :meth:`Transcriber.transcribe` (faster-whisper's
        options: ``language``, ``task``, ``temperature``, ``condition_on_previous_text``, ...).

        >>> model.transcribe("speech.wav")  # doctest: +SKIP
        'The birch canoe slid on the smooth planks.'
        """
        return self._whisper().transcribe(audio, **options)

    def detect_language(self, audio: Any, **options: Any) -> Any:
        """The language spoken in ``audio`` (its first 30 s): ``(language, probability,
        all_probabilities)``, as faster-whisper's ``detect_language`` returns it.

        >>> model.detect_language("rede.wav")  # doctest: +SKIP
        Language(language='de', probability=0.97, all_probabilities=[('de', 0.97), ...])
        """
        return self._whisper().detect_language(audio, **options)

    def live_transcriber(self, vad_model: Any = None, **options: Any) -> Any:
        """Live speech to text with a Whisper artifact: feed audio chunks, get confirmed text; see
        :class:`LiveTranscriber` (one per audio stream; ``vad_model`` as for ``vad_filter``).

        >>> live = model.live_transcriber()  # doctest: +SKIP
        >>> [piece.text for chunk in chunks for piece in live.feed(chunk)]  # doctest: +SKIP
        """
        return self._whisper().live(vad_model, **options)

    def _whisper(self) -> Any:
        from .transcribe import Transcriber, whisper_models

        with self._lock:
            if self._transcriber is None:
                self._transcriber = Transcriber.from_files(
                    self.artifact_dir,
                    whisper_models(self.manifest),
                    self._checked_open(),
                    self.plan.device,
                    dict(self.plan.properties),
                )
        return self._transcriber

    def _release(self) -> None:
        self._transcriber = None


class TextGenerationModel(Model):
    """A generative text artifact (causal or sequence-to-sequence) with its KV cache as state."""

    _generator: TextGenerator | None = None  # made on the first call

    def generate(
        self, prompt: str | list[str], max_new_tokens: int = 32, do_sample: bool = False, **sampling: Any
    ) -> str | list[str]:
        """Text a generative artifact continues ``prompt`` with (greedy unless ``do_sample``).

        ``sampling`` takes ``temperature``, ``top_k``, ``top_p`` and ``seed``. Thread-safe: every
        call decodes in infer requests (and KV-cache state) of its own.

        >>> model.generate("The quick brown", max_new_tokens=16)  # doctest: +SKIP
        """
        cfg = GenerationConfig(max_new_tokens, do_sample, **sampling)
        return self._text_generator().generate(prompt, cfg)

    def stream(self, prompt: str, max_new_tokens: int = 32, do_sample: bool = False, **sampling: Any) -> Any:
        """An iterator of ``Token(id, text)`` as they are generated; ``"".join(t.text ...)`` is
        what :meth:`generate` returns."""
        cfg = GenerationConfig(max_new_tokens, do_sample, **sampling)
        return self._text_generator().stream(prompt, cfg)

    def _text_generator(self) -> TextGenerator:
        self._checked_open()
        with self._lock:
            if self._generator is None:
                self._generator = TextGenerator(self.artifact_dir, self.manifest, self.session)
        return self._generator

    def _release(self) -> None:
        self._generator = None


def model_class(manifest: Manifest) -> type[Model]:
    """The class ``load()`` returns for an artifact, by what its manifest says it does."""
    kind = (manifest.generation or {}).get("kind")
    if kind == "speech":
        return SpeechModel
    if kind in ("causal", "seq2seq"):
        return TextGenerationModel
    if (manifest.postprocess or {}).get("kind") == "detection":
        return DetectorModel
    if _is_classifier(manifest):
        return TextClassifierModel if manifest.frontend_kind == "text" else ClassifierModel
    if manifest.frontend_kind == "text":
        return EmbeddingModel
    return Model
