"""One model loaded through the facade (its legacy config, recipe, artifact and runtime)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovbuild.compat._legacy import Translation


@dataclass
class LoadedModel:
    """One model loaded through the facade: its legacy config, recipe, artifact and runtime."""

    name: str
    config: dict[str, Any]
    translation: Translation
    recipe: dict[str, Any]
    artifact: Path
    version: int
    runtime: Any  # the generated loader's Model
    build_seconds: float
    cached: bool
    variants: dict[str, LoadedModel] = field(default_factory=dict)
    # Declared after ``runtime`` on purpose: see :meth:`infer_batch`.
    queue: Any = None

    def infer_batch(self, items: list[Any]) -> list[dict[str, Any]]:
        """Run a batch, pipelined over every request the device plan allows.

        The loader's ``infer_batch`` builds an ``AsyncInferQueue`` per call; with an AUTO plan
        (what ``multi_device`` maps to) OpenVINO 2026.4 sometimes hangs or aborts ("Resource
        deadlock avoided") when such a queue is destroyed before its compiled model. So the facade
        keeps one queue for the model's lifetime; it is the compiled model's last owner (the
        ``runtime`` field is released first), and both go away together.
        """
        import numpy as np
        import openvino as ov

        runtime = self.runtime
        prepared = [runtime.prepare(item) for item in items]
        if self.queue is None:
            jobs = int(runtime.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            self.queue = ov.AsyncInferQueue(runtime.compiled, max(1, jobs))
        names = runtime.output_names
        results: list[Any] = [None] * len(prepared)

        def done(request: Any, index: int) -> None:
            results[index] = {n: np.array(request.get_output_tensor(i).data) for i, n in enumerate(names)}

        self.queue.set_callback(done)
        for index, inputs in enumerate(prepared):
            self.queue.start_async(inputs, index)
        self.queue.wait_all()
        return results

    @property
    def manifest(self) -> dict[str, Any]:
        return {**self.runtime.manifest, "_legacy_model_type": self.translation.model_type}
