"""Model sources: one module per kind, each with ``input_files(cfg)`` and ``convert(ctx, cfg)``.

``input_files`` names what the source reads (their digests enter the cache key) and raises
:class:`~ovbuild.errors.SourceError` when the source is missing; ``convert`` writes OpenVINO IR
(``model.xml`` and any sub-models) into ``ctx.out_dir`` and returns a JSON-able description.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ovbuild.errors import SourceError

_MODULES = {
    "onnx": "ovbuild.sources.files",
    "ir": "ovbuild.sources.files",
    "tflite": "ovbuild.sources.files",
    "hf": "ovbuild.sources.hf",
    "pytorch": "ovbuild.sources.pytorch",
    "legacy": "ovbuild.sources.legacy",
    "ctranslate2": "ovbuild.sources.ctranslate2",
}


def source_module(kind: str) -> ModuleType:
    try:
        return importlib.import_module(_MODULES[kind])
    except KeyError:
        raise SourceError(f"source.kind: unknown kind {kind!r}") from None
    except ModuleNotFoundError as exc:
        raise SourceError(f"source.kind {kind!r} needs {exc.name!r}, which is not installed") from exc
