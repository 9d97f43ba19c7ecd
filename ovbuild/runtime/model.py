"""The generated loader's core: verify, plan devices, import precompiled blobs, run.

This module is concatenated, with :mod:`devices` and :mod:`audio`, into every artifact's
``loader.py`` (see :func:`ovbuild.runtime.loader_source`); it may import only the standard
library, numpy and openvino. Lines ending in ``runtime-import`` exist for linting only and are
dropped from the generated file, where those names are module globals.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ovbuild.runtime.audio import audio_prepare_batch  # runtime-import
from ovbuild.runtime.batcher import DynamicBatcher  # runtime-import
from ovbuild.runtime.devices import available_devices, compile_with_plan, plan_devices  # runtime-import

MANIFEST = "manifest.json"


class ArtifactIntegrityError(RuntimeError):
    """A file of the artifact is missing or does not match the digest its manifest records."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_artifact(artifact_dir: Path, manifest: dict[str, Any]) -> None:
    """Check every file the manifest lists; raise naming the first one that does not match.

    Files are hashed in parallel threads (hashlib releases the GIL), which halves the check on
    two cores for artifacts carrying both weights and a compiled blob.
    """
    from concurrent.futures import ThreadPoolExecutor

    def problem(item: tuple[str, dict[str, Any]]) -> str | None:
        rel, info = item
        path = artifact_dir / rel
        if not path.is_file():
            return f"{path}: missing from the artifact"
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            return f"{path}: contents do not match the manifest (tampered or truncated)"
        return None

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for found in pool.map(problem, sorted(manifest["files"].items())):
            if found:
                raise ArtifactIntegrityError(found)


def _device_config(recorded: dict[str, Any], device: str | None) -> dict[str, Any]:
    if device is None:
        return recorded
    mode, _, rest = device.partition(":")
    if rest and mode.upper() in ("AUTO", "HETERO", "MULTI"):
        return {**recorded, "mode": mode.lower(), "priorities": rest.split(",")}
    return {**recorded, "mode": "single", "priorities": [device]}


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
        self._request = compiled.create_infer_request()
        self._queue: Any = None
        self._queue_lock = threading.Lock()

    @property
    def device(self) -> str:
        return self.plan["device"]

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
        if getattr(self, "_host_tokenizer", None) is None:
            from tokenizers import Tokenizer

            fe = self.frontend
            recorded = Path(fe.get("tokenizer") or self.manifest["recipe"]["source"]["path"])
            found = [
                d / "tokenizer.json"
                for d in (self.artifact_dir / "assets", self.artifact_dir, recorded)
                if (d / "tokenizer.json").is_file()
            ]
            if not found:
                raise FileNotFoundError(f"no tokenizer.json in {self.artifact_dir} or {recorded}")
            tokenizer = Tokenizer.from_file(str(found[0]))
            length = int(fe.get("max_length", 128))
            tokenizer.enable_truncation(length)
            if fe.get("padding", "max_length") == "max_length":
                tokenizer.enable_padding(length=length)
            else:
                tokenizer.enable_padding()
            self._host_tokenizer = tokenizer
        encoded = self._host_tokenizer.encode_batch(texts)
        columns = {
            "input_ids": [e.ids for e in encoded],
            "attention_mask": [e.attention_mask for e in encoded],
            "token_type_ids": [e.type_ids for e in encoded],
        }
        return {name: np.array(columns[name], dtype=np.int64) for name in self.input_names if name in columns}

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

    def infer_batch(self, items: list[Any], *, on_error: str = "raise") -> list[dict[str, Any]]:
        """Run many inputs; under a THROUGHPUT hint every stream is kept busy with async requests.

        Audio items (paths, bytes, ``(array, rate)``) are decoded and run as one batch; with
        ``on_error="skip"`` a bad item yields ``{"error": message}`` and the others still run.
        """
        audio = self.frontend.get("kind") == "audio" and self.frontend.get("embedded")
        if audio and not any(isinstance(item, dict) for item in items):
            return self._infer_audio_batch(items, on_error)
        prepared = [self.prepare(item) for item in items]
        hint = str(self.plan["properties"].get("PERFORMANCE_HINT", ""))
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
        return ov.Core().compile_model(str(path), self.plan["device"], self.plan["properties"])

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


def load_artifact(
    artifact_dir: str | Path, device: str | None = None, *, verify: bool = True, **properties: Any
) -> Model:
    """Load an artifact directory: verify digests, plan devices, import blobs or compile.

    Args:
        artifact_dir: the directory holding ``manifest.json``.
        device: override the recipe's device plan ("CPU", "GPU", "AUTO:GPU,CPU").
        verify: check every file's sha256 against the manifest first.
        **properties: extra OpenVINO properties for compilation (skips the precompiled blob).

    Raises:
        ArtifactIntegrityError: a file is missing or altered.
    """
    import openvino as ov

    started = time.perf_counter()
    artifact_dir = Path(artifact_dir).resolve()
    manifest = json.loads((artifact_dir / MANIFEST).read_text())
    if verify:
        verify_artifact(artifact_dir, manifest)
    plan = plan_devices(_device_config(manifest["recipe"]["device"], device), available_devices())
    for warning in plan["warnings"]:
        warnings.warn(warning, stacklevel=2)
    if (manifest.get("frontend") or {}).get("kind") == "text" and manifest["frontend"].get("embedded"):
        import openvino_tokenizers  # noqa: F401  (registers the in-graph tokenizer's ops on new Cores)
    core = ov.Core()
    compiled = None
    blob = manifest.get("blobs", {}).get(plan["device"])
    if blob and not properties:
        try:
            compiled = core.import_model(
                (artifact_dir / blob["blob"]).read_bytes(), plan["device"], blob["properties"]
            )
        except Exception as exc:  # a blob from another OpenVINO build: compile instead, and say so
            warnings.warn(f"precompiled blob {blob['blob']} not usable ({exc}); compiling", stacklevel=2)
    if compiled is None:
        plan = {**plan, "properties": {**plan["properties"], **properties}}
        compiled = compile_with_plan(core, str(artifact_dir / manifest["model"]), plan)
    return Model(artifact_dir, manifest, compiled, plan, time.perf_counter() - started)


def _main(artifact_dir: Path, argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=f"ovbuild artifact at {artifact_dir}")
    parser.add_argument("--bench", action="store_true", help="measure latency and throughput")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--device", default=None)
    args = parser.parse_args(argv)
    model = load_artifact(artifact_dir, args.device)
    if args.bench:
        stats = model.bench(args.seconds)
        print(f"{model.manifest['name']} v{model.manifest.get('version', '?')} on {model.device}")
        for key, value in stats.items():
            print(f"  {key:18s} {value:10.3f}")
        return 0
    outputs = model(model.example_inputs())
    for name, value in outputs.items():
        print(f"{name}: shape {list(value.shape)} dtype {value.dtype}")
    return 0


if __name__ == "__main__" and "__ovbuild_loader__" not in globals():
    sys.exit(_main(Path.cwd(), sys.argv[1:]))
