"""``OpenVINOBackend``: the old backend API, powered by ovbuild's compiler, cache and loader.

``load_model`` turns the legacy config dict into a recipe, builds it through the normal stage
graph (an unchanged config is a cache hit) and loads the artifact's generated loader.
``run_inference`` runs it and reports latency like the old API. Neither raises for user errors:
they return ``{"status": "error", "error": "<message naming the problem>"}``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from ovbuild.compat._data import check_fit, classify
from ovbuild.compat._error_results import error_result, in_legacy_terms, inference_error
from ovbuild.compat._keys import AUDIO_KEYS
from ovbuild.compat._legacy import to_yaml, translate
from ovbuild.compat._loaded import LoadedModel
from ovbuild.compat._logbridge import forwarding
from ovbuild.compat.hooks import run_hooks
from ovbuild.compat.migrate import recipe_from_legacy
from ovbuild.errors import RecipeError, SourceError, StageError

# recipe_from_legacy: imported from here by callers
__all__ = ["OpenVINOBackend", "recipe_from_legacy"]

log = logging.getLogger("ovbuild.compat")


class OpenVINOBackend:
    """The legacy backend API over ovbuild.

    Args:
        options: ``logger`` (an object with ``info``/``warning``/``error`` methods, or a
            :class:`logging.Logger`) receives every log record; ``store_root`` is where artifacts
            and the cache live (default ``outputs``).

    >>> backend = OpenVINOBackend({"store_root": "/tmp/ovb"})  # doctest: +SKIP
    >>> backend.load_model("vad", {"device": "CPU", "model_path": "vad.onnx"})["status"]  # doctest: +SKIP
    'success'
    """

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        if options is not None and not isinstance(options, dict):
            log.error(f"OpenVINOBackend: options must be a dict, got {type(options).__name__}; ignored")
            options = None
        self.options = dict(options or {})
        self.logger = self.options.get("logger")
        # The same store rule as the CLI: an explicit root, else $OVBUILD_STORE, else ./outputs.
        root = self.options.get("store_root") or os.environ.get("OVBUILD_STORE") or "outputs"
        self.store_root = Path(str(root)).expanduser().resolve()
        self.models: dict[str, LoadedModel] = {}
        self._devices: list[str] | None = None
        self._warned: set[tuple[str, tuple[str, ...]]] = set()

    @property
    def _available_devices(self) -> list[str]:
        """The devices OpenVINO can use on this machine (the old API's attribute)."""
        if self._devices is None:
            from ovbuild.runtime.devices import available_devices

            self._devices = available_devices()
        return list(self._devices)

    def _build(self, name: str, config: dict[str, Any], overrides: dict[str, Any] | None) -> LoadedModel:
        from ovbuild.config import load_recipe
        from ovbuild.graph import build
        from ovbuild.runtime import import_loader

        try:
            translation = translate(
                name,
                config,
                store_root=self.store_root,
                available=self._available_devices,
                run_overrides=overrides,
            )
        except RecipeError as exc:
            for warning in exc.warnings:
                log.warning(f"{name}: {warning}")
            raise
        for warning in translation.warnings:
            log.warning(f"{name}: {warning}")
        recipe = load_recipe(raw=translation.raw)
        translation.write_pending()  # only once the recipe is valid: nothing written for bad input
        try:
            result = build(recipe, root=self.store_root)
        except (RecipeError, SourceError, StageError) as exc:  # preflight names the written file
            raise in_legacy_terms(exc, translation) from exc
        how = "cached" if not result.built else f"built {', '.join(result.built)}"
        log.info(f"{name}: artifact {result.name} v{result.version} ({how})")
        runtime = import_loader(result.path).load()
        return LoadedModel(
            name=name,
            config=dict(config),
            translation=translation,
            recipe=recipe,
            artifact=result.path,
            version=result.version,
            runtime=runtime,
            build_seconds=result.seconds,
            cached=not result.built,
        )

    def load_model(self, name: str, config: dict[str, Any]) -> dict[str, Any]:
        """Build (or reuse) the artifact for a legacy config and load it.

        Args:
            name: the name ``run_inference`` will use.
            config: the legacy dict (``device``, ``model_path``, ``precision``, ... see
                :data:`ovbuild.compat._legacy.KEYS`).

        Returns:
            ``{"status": "success", "name", "artifact", "version", "device", "cached",
            "build_seconds", "load_seconds", "inputs", "outputs", "warnings"}`` or
            ``{"status": "error", "error": message}``.
        """
        with forwarding(self.logger) as seen:
            try:
                loaded = self._build(name, config, None)
            except Exception as exc:  # the old API never raised: the error dict names the problem
                return error_result(f"load_model({name!r})", exc)
            self.models[name] = loaded
            return {
                "status": "success",
                "name": name,
                "artifact": str(loaded.artifact),
                "version": loaded.version,
                "device": loaded.runtime.device,
                "cached": loaded.cached,
                "build_seconds": loaded.build_seconds,
                "load_seconds": loaded.runtime.load_seconds,
                "inputs": loaded.manifest.inputs,
                "outputs": loaded.manifest.outputs,
                "warnings": list(dict.fromkeys(seen)),  # the build and the loader may both say it
            }

    def _variant(self, loaded: LoadedModel, config: dict[str, Any]) -> LoadedModel:
        """The model to run for a ``run_inference`` config: audio keys may ask for other features."""
        overrides = {k: config[k] for k in AUDIO_KEYS if k in config}
        if not overrides:
            return loaded
        translation = translate(
            loaded.name,
            loaded.config,
            store_root=self.store_root,
            available=self._available_devices,
            run_overrides=overrides,
        )
        if translation.raw["frontend"] == loaded.translation.raw["frontend"]:
            return loaded
        key = repr(sorted(overrides.items()))
        if key not in loaded.variants:
            log.info(f"{loaded.name}: run_inference audio settings {overrides} need another front-end")
            loaded.variants[key] = self._build(loaded.name, loaded.config, overrides)
        return loaded.variants[key]

    def run_inference(self, name: str, data: Any, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a loaded model on ``data``.

        Args:
            name: a name given to :meth:`load_model`.
            data: text (a string or list of strings), audio (a file path, bytes, a waveform array, or a
                list of files), a dict of named arrays, or a list of such dicts (a batch).
            config: per-call options; the audio keys (``sample_rate``, ``feature_type``,
                ``feature_size``, ``normalize``, ``n_fft``, ``hop_length``) select the front-end.

        Returns:
            ``{"status": "success", "results", "latency_ms", "throughput_items_per_sec", "device",
            "items", "model"}``; ``results`` maps output names to arrays (a list of such maps for a
            batch). On failure ``{"status": "error", "error": message}``.
        """
        where = f"run_inference({name!r})"
        with forwarding(self.logger):
            loaded = self._loaded(name)
            if loaded is None:
                return inference_error(where, self._not_loaded(name) + "; call load_model first")
            if config is not None and not isinstance(config, dict):
                return inference_error(where, f"config: expected a dict or None, got {type(config).__name__}")
            config = dict(config or {})
            self._warn_ignored(name, config)
            try:
                model = self._variant(loaded, config)
                started = time.perf_counter()
                results, items = self._infer(model, name, data, config)
                seconds = time.perf_counter() - started
            except Exception as exc:
                return inference_error(where, exc)
            log.debug(f"{name}: {items} item(s) in {seconds * 1000.0:.2f} ms on {model.runtime.device}")
            return {
                "status": "success",
                "results": results,
                "latency_ms": seconds * 1000.0,
                "throughput_items_per_sec": items / seconds if seconds > 0 else float("inf"),
                "device": model.runtime.device,
                "items": items,
                "model": name,
                "precision": model.recipe["precision"]["default"],
            }

    @staticmethod
    def _infer(model: LoadedModel, name: str, data: Any, config: dict[str, Any]) -> tuple[Any, int]:
        """``(results, items)``: a hook's results (see :mod:`ovbuild.compat.hooks`), else the loader's."""
        hooked = run_hooks(model, data, config)
        if hooked is not None:
            return hooked, len(data) if isinstance(data, list) else 1
        modality, is_batch, items = classify(data)
        check_fit(data, modality, model.manifest, name, model.translation.model_type)
        return (model.infer_batch(list(data)) if is_batch else model.runtime(data)), items

    def _warn_ignored(self, name: str, config: dict[str, Any]) -> None:
        """Keys ``run_inference`` does not use (``model_type`` is a ``load_model`` key), said once
        per model and key set rather than on every call."""
        unknown = tuple(sorted(str(k) for k in config if k not in AUDIO_KEYS))
        if unknown and (name, unknown) not in self._warned:
            self._warned.add((name, unknown))
            log.warning(
                f"{name}: run_inference config key(s) ignored: {', '.join(unknown)} "
                "(only the audio feature keys apply per call; said once)"
            )

    def _loaded(self, name: Any) -> LoadedModel | None:
        """The model loaded as ``name``; ``None`` for any other value, hashable or not."""
        return self.models.get(name) if isinstance(name, str) else None

    def _not_loaded(self, name: Any) -> str:
        known = ", ".join(sorted(self.models)) or "none"
        if not isinstance(name, str):
            return f"name: expected a string, got {type(name).__name__} {name!r} (loaded: {known})"
        return f"no model named {name!r} is loaded (loaded: {known})"

    def unload_model(self, name: str) -> dict[str, Any]:
        """Forget a loaded model (its artifact stays in the store for the next load)."""
        with forwarding(self.logger):
            if self._loaded(name) is None:
                return error_result(f"unload_model({name!r})", self._not_loaded(name))
            del self.models[name]
            log.info(f"{name}: unloaded")
            return {"status": "success", "name": name}

    def get_model_info(self, name: str) -> dict[str, Any]:
        """What a loaded model is: artifact, device, precision, inputs, outputs, the equivalent recipe."""
        with forwarding(self.logger):
            loaded = self._loaded(name)
            if loaded is None:
                return error_result(f"get_model_info({name!r})", self._not_loaded(name))
            manifest = loaded.runtime.manifest
            return {
                "status": "success",
                "name": name,
                "model_type": loaded.translation.model_type,
                "artifact": str(loaded.artifact),
                "version": loaded.version,
                "device": loaded.runtime.device,
                "device_plan": loaded.runtime.plan.to_json(),
                "precision": loaded.recipe["precision"],
                "inputs": manifest.inputs,
                "outputs": manifest.outputs,
                "frontend": manifest.frontend,
                # what run_inference's audio keys selected: one artifact per feature setting
                "variants": [
                    {"artifact": str(v.artifact), "frontend": v.manifest.frontend}
                    for v in loaded.variants.values()
                ],
                "recipe": to_yaml(loaded.translation.raw),
            }
