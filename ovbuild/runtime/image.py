"""The image front-end run host-side, when it is not in the graph.

With ``frontend.embed: false`` the artifact ships the front-end's steps as their own small IR
(``assets/image_preprocess.xml``, built from the same definition the embedded path uses), so
the host-side path computes exactly what the embedded one would.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

PREPROCESS_XML = "assets/image_preprocess.xml"


class HostImageSteps:
    """The shipped pre-processing IR, compiled once (lazily) and safe to call from many threads."""

    def __init__(self, artifact_dir: Path) -> None:
        self.path = Path(artifact_dir) / PREPROCESS_XML
        self._compiled: Any = None
        self._lock = threading.Lock()

    def __call__(self, images: np.ndarray) -> np.ndarray:
        with self._lock:
            if self._compiled is None:
                import openvino as ov

                self._compiled = ov.Core().compile_model(
                    str(self.path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"}
                )
            request = self._compiled.create_infer_request()
        # One request per call: concurrent callers never share a request's buffers.
        return np.concatenate([np.array(request.infer([row[None]])[0]) for row in images])
