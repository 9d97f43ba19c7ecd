"""File sources read by OpenVINO's own front-ends: ONNX, OpenVINO IR and TFLite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovbuild.config.frozen import FrozenConfig
from ovbuild.errors import SourceError, openvino_reason
from ovbuild.sources._ovc import convert_model
from ovbuild.sources.base import ModuleSource

_SUFFIXES = {"onnx": (".onnx",), "ir": (".xml",), "tflite": (".tflite",)}


def model_path(cfg: dict[str, Any]) -> Path:
    raw = cfg.get("path")
    if not raw:
        raise SourceError(f"source.path: required for a {cfg['kind']} source")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SourceError(f"source.path: no such file: {path}")
    if path.suffix.lower() not in _SUFFIXES[cfg["kind"]]:
        expected = " or ".join(_SUFFIXES[cfg["kind"]])
        raise SourceError(f"source.path: {path} is not a {cfg['kind']} file (expected {expected})")
    return path.resolve()


def input_files(cfg: dict[str, Any]) -> list[Path]:
    path = model_path(cfg)
    files = [path]
    if cfg["kind"] == "ir":
        weights = path.with_suffix(".bin")
        if weights.is_file():
            files.append(weights)
    elif cfg["kind"] == "onnx":
        # External-data tensors sit beside the graph; they change the model as much as the graph.
        files += sorted(p for p in path.parent.glob(f"{path.stem}*.data") if p.is_file())
    return files


def convert(ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:

    path = model_path(cfg)
    try:
        if cfg["kind"] == "ir":
            model = ctx.core.read_model(str(path))
        else:
            # Some graphs (silero-vad op15) only convert once their input shapes are known.
            shapes = shapes or None
            model = convert_model(str(path), input=shapes) if shapes else convert_model(str(path))
    except Exception as exc:
        raise SourceError(
            f"source.path: OpenVINO cannot read {path} as {cfg['kind']}: {_reason(exc, path)}"
        ) from exc
    ctx.save_model(model)
    return {"models": {"model": "model.xml"}}


_NO_TRANSLATOR = re.compile(r"No translator found for (\S+) node")


def _declared_inputs(path: Path) -> list[str]:
    """The graph's input names as its front-end declares them, without converting it."""
    try:
        from openvino.frontend import FrontEndManager

        model = FrontEndManager().load_by_model(str(path)).load(str(path))
        return [sorted(place.get_names())[0] for place in model.get_inputs() if place.get_names()]
    except Exception:  # noqa: BLE001 - the hint is optional; the reason stands without it
        return []


def _reason(exc: Exception, path: Path) -> str:
    """The useful line of a front-end failure: the op it lacks, the shapes it needs, or the first
    line that is not a source location (the whole message stays in the cause chain)."""
    text = str(exc).strip()
    ops = sorted(set(_NO_TRANSLATOR.findall(text)))
    if ops and "rank" not in text:
        return f"unsupported operation(s) {', '.join(ops)} (custom ops OpenVINO has no converter for)"
    names = _declared_inputs(path)
    example = f"inputs.{names[0]}=[1,512]" if names else "inputs.NAME=[1,512]"
    hint = f"set a static shape for each input, e.g. {example}" + (
        f" (the model's inputs: {', '.join(names)})" if names else ""
    )
    return openvino_reason(exc, shape_hint=hint)


@dataclass(frozen=True)
class FileSourceConfig(FrozenConfig):
    """``source:`` for a model file OpenVINO reads itself."""

    kind: str = "onnx"
    path: str | None = None  # the model file (IR: the .xml, its .bin beside it)


class _FileSource(ModuleSource):
    schema = FileSourceConfig

    def model_file(self, cfg: Any) -> Path | None:
        path = cfg.get("path")
        return Path(path) if path and Path(path).is_file() else None


class OnnxSource(_FileSource):
    kind = "onnx"


class IrSource(_FileSource):
    kind = "ir"


class TfliteSource(_FileSource):
    kind = "tflite"
