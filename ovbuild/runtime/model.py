"""The loaded artifact: call it with natural inputs or named tensors, get named NumPy outputs."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from .audio import audio_prepare_batch
from .batcher import DynamicBatcher
from .generate import GenerationConfig, TextGenerator
from .text import host_encode, host_tokenizer, run_sorted


class Model:
    """A compiled artifact. Call it with natural inputs or named tensors; get named NumPy outputs."""

    def __init__(
        self,
        artifact_dir: Path,
        manifest: dict[str, Any],
        compiled: Any,
        plan: dict[str, Any],
        load_seconds: float,
    ) -> None:
        self.artifact_dir = artifact_dir
        self.manifest = manifest
        self.compiled = compiled
        self.plan = plan
        self.load_seconds = load_seconds
        self.frontend = manifest.get("frontend") or {}
        self.input_names = [p["name"] for p in manifest["inputs"]]
        self.output_names = [p["name"] for p in manifest["outputs"]]
        #: A classifier's class names by index (HF ``id2label``), else ``None``.
        self.labels: list[str] | None = manifest.get("labels")
        self._request = compiled.create_infer_request()
        self._queue: Any = None
        self._queue_lock = threading.Lock()
        self._host_tokenizer: Any = None

    @property
    def device(self) -> str:
        return self.plan.device

    def prepare(self, item: Any) -> dict[str, np.ndarray]:
        """Turn one natural input (named dict, array, audio file, strings) into named tensors."""
        if isinstance(item, dict):
            unknown = set(item) - set(self.input_names)
            if unknown:
                raise ValueError(f"unknown input name(s) {sorted(unknown)}; inputs are {self.input_names}")
            return {k: np.asarray(v) for k, v in item.items()}
        if self.frontend.get("kind") == "audio" and self.frontend.get("embedded"):
            return {self.input_names[0]: self._waveform(item)}
        if self.frontend.get("kind") == "image" and self.frontend.get("embedded"):
            return {self.input_names[0]: self._images(item)}
        if self.frontend.get("kind") == "text":
            texts = [item] if isinstance(item, str) else list(item)
            if self.frontend.get("embedded"):
                return {self.input_names[0]: np.array(texts)}
            return self._tokenize(texts)
        if len(self.input_names) != 1:
            raise ValueError(f"this model has inputs {self.input_names}: pass a dict of named arrays")
        return {self.input_names[0]: np.asarray(item)}

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Host-side tokenization with ``tokenizers`` when the tokenizer is not in the graph."""
        if self._host_tokenizer is None:
            fe = self.frontend
            found = [
                d / "tokenizer.json"
                for d in (self.artifact_dir / "assets", self.artifact_dir)
                if (d / "tokenizer.json").is_file()
            ]
            if not found:
                raise FileNotFoundError(f"no tokenizer.json in {self.artifact_dir} or its assets/")
            # artifacts built before padding was recorded padded to max_length
            padding = fe.get("padding", "max_length")
            self._host_tokenizer = host_tokenizer(found[0], int(fe.get("max_length", 128)), padding)
        return host_encode(self._host_tokenizer, texts, self.input_names)

    def _waveform(self, item: Any) -> np.ndarray:
        """``[rows, samples]``: one row when padding, one per chunk otherwise."""
        length = self.manifest["inputs"][0]["shape"][-1]
        waves, _, _ = audio_prepare_batch([item], self.frontend, length)
        return waves

    def _infer_rows(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Infer a batch of rows; row by row when the model's batch axis is static."""
        name = self.input_names[0]
        if self.manifest["inputs"][0]["shape"][0] == -1 or len(inputs[name]) == 1:
            return self._outputs(self._request.infer(inputs))
        rows = [self._outputs(self._request.infer({**inputs, name: row[None]})) for row in inputs[name]]
        return {k: np.concatenate([r[k] for r in rows]) for k in self.output_names}

    def _infer_audio_batch(self, items: list[Any], on_error: str) -> list[dict[str, Any]]:
        length = self.manifest["inputs"][0]["shape"][-1]
        waves, owners, errors = audio_prepare_batch(items, self.frontend, length, on_error=on_error)
        outputs = self._infer_rows({self.input_names[0]: waves}) if len(waves) else {}
        owners_arr = np.asarray(owners)
        results: list[dict[str, Any]] = []
        for index in range(len(items)):
            if index in errors:
                results.append({"error": errors[index]})
            else:
                results.append({k: v[owners_arr == index] for k, v in outputs.items()})
        return results

    def _images(self, item: Any) -> np.ndarray:
        """RGB uint8 ``[N, H, W, 3]`` from an image path, an ``[H, W, 3]`` array or a batch of them."""
        if isinstance(item, (str, Path)):
            try:
                from PIL import Image
            except ImportError as exc:
                msg = "decoding image files needs Pillow; pass an RGB uint8 array instead"
                raise ImportError(msg) from exc
            with Image.open(item) as image:
                item = np.asarray(image.convert("RGB"))
        images = np.asarray(item)
        if images.ndim == 3:
            images = images[None]
        if images.ndim != 4 or images.shape[-1] != 3:
            raise ValueError(f"expected RGB images [H, W, 3] or [N, H, W, 3], got shape {images.shape}")
        if images.dtype != np.uint8:
            images = np.clip(images, 0, 255).astype(np.uint8)
        return images

    def _outputs(self, result: Any) -> dict[str, np.ndarray]:
        return {name: np.array(result[i]) for i, name in enumerate(self.output_names)}

    def __call__(self, item: Any = None, **named: Any) -> dict[str, np.ndarray]:
        inputs = self.prepare(named if item is None else item)
        if self.frontend.get("kind") == "audio" and self.frontend.get("embedded"):
            return self._infer_rows(inputs)
        return self._outputs(self._request.infer(inputs))

    def encode(self, texts: list[str], batch_size: int = 32) -> dict[str, np.ndarray]:
        """Many sentences of a text model: one output row per sentence, in input order.

        Sentences run in batches of ``batch_size`` sorted by length (as sentence-transformers
        does), so with padding to the longest sentence of a batch few pad tokens are computed.
        """
        if self.frontend.get("kind") != "text":
            raise ValueError("encode() takes sentences; this artifact has no text front-end")
        return run_sorted(texts, batch_size, lambda batch: self(batch))

    def infer_batch(self, items: list[Any], *, on_error: str = "raise") -> list[dict[str, Any]]:
        """Run many inputs; under a THROUGHPUT hint every stream is kept busy with async requests.

        Audio items (paths, bytes, ``(array, rate)``) are decoded and run as one batch; with
        ``on_error="skip"`` a bad item yields ``{"error": message}`` and the others still run.
        """
        audio = self.frontend.get("kind") == "audio" and self.frontend.get("embedded")
        if audio and not any(isinstance(item, dict) for item in items):
            return self._infer_audio_batch(items, on_error)
        prepared = [self.prepare(item) for item in items]
        hint = str(self.plan.properties.get("PERFORMANCE_HINT", ""))
        if "THROUGHPUT" not in hint or len(prepared) < 2:
            return [self._outputs(self._request.infer(p)) for p in prepared]
        results: list[Any] = [None] * len(prepared)

        def done(request: Any, index: int) -> None:
            results[index] = {
                n: np.array(request.get_output_tensor(i).data) for i, n in enumerate(self.output_names)
            }

        with self._queue_lock:
            queue = self._async_queue()
            queue.set_callback(done)
            for index, inputs in enumerate(prepared):
                queue.start_async(inputs, index)
            queue.wait_all()
        return results

    def _async_queue(self) -> Any:
        # One queue for the model's lifetime: creating and destroying a queue per call can hang or
        # abort inside OpenVINO ("Resource deadlock avoided") under AUTO plans.
        if self._queue is None:
            import openvino as ov

            jobs = int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            self._queue = ov.AsyncInferQueue(self.compiled, max(1, jobs))
        return self._queue

    def __del__(self) -> None:
        # Requests and queues must go before the compiled model they were made from.
        self.__dict__.pop("_queue", None)
        self.__dict__.pop("_request", None)

    def submodel(self, role: str) -> Any:
        """A compiled sub-model the source exported beside the main one (``encoder``, ``decoder``).

        Encoder-decoder artifacts keep their decoders as extra IR files, recorded by role in the
        manifest; ``model.submodel("decoder")`` compiles one on this model's device.
        """
        models = ((self.manifest.get("stages") or {}).get("convert") or {}).get("models") or {
            "model": "model.xml"
        }
        if role not in models:
            raise KeyError(f"no sub-model {role!r}; this artifact has {sorted(models)}")
        if models[role] == self.manifest["model"]:
            return self.compiled
        import openvino as ov

        path = self.artifact_dir / models[role]
        return ov.Core().compile_model(str(path), self.plan.device, self.plan.properties)

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
        with self._queue_lock:
            if getattr(self, "_generator", None) is None:
                self._generator = TextGenerator(self.artifact_dir, self.manifest, self.compiled, self.plan)
        return self._generator

    def batcher(self, max_batch: int = 8, max_wait_ms: float = 2.0) -> Any:
        """A :class:`DynamicBatcher` that groups concurrent single-item calls from many threads
        into one inference; needs an artifact whose batch axis is dynamic (``inputs: [-1, ...]``).

        >>> batched = model.batcher(max_batch=8)  # doctest: +SKIP
        >>> batched(model.prepare(["one sentence"]))  # from any number of threads  # doctest: +SKIP
        """
        request = self.compiled.create_infer_request()

        def infer(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            return self._outputs(request.infer(inputs))

        return DynamicBatcher(infer, max_batch=max_batch, max_wait_ms=max_wait_ms)

    def example_inputs(self, seed: int = 0) -> dict[str, np.ndarray]:
        """Seeded inputs of the model's recorded shapes and types (for benchmarks and smoke tests)."""
        rng = np.random.default_rng(seed)
        out = {}
        for spec in self.manifest["inputs"]:
            shape = [d if d > 0 else 1 for d in (spec["shape"] or [])]
            dtype = np.dtype(spec["numpy_type"])
            if dtype.kind == "f":
                out[spec["name"]] = rng.standard_normal(shape).astype(dtype)
            elif dtype.kind in "iu":
                out[spec["name"]] = np.full(shape, spec.get("example_value", 1), dtype)
            else:
                out[spec["name"]] = np.zeros(shape, dtype)
        return out

    def bench(self, seconds: float = 3.0) -> dict[str, float]:
        inputs = self.example_inputs()
        for _ in range(3):
            self._request.infer(inputs)
        times = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(times) < 10:
            started = time.perf_counter()
            self._request.infer(inputs)
            times.append((time.perf_counter() - started) * 1000)
        times_arr = np.array(times)
        return {
            "load_ms": self.load_seconds * 1000,
            "median_ms": float(np.median(times_arr)),
            "p90_ms": float(np.percentile(times_arr, 90)),
            "throughput_per_s": float(1000 / np.median(times_arr)),
            "iterations": len(times),
        }
