"""Legacy converters: ``source.converter: "module:function"`` returning an ``ov.Model`` or a path.

Older code that already knows how to produce OpenVINO models plugs in here unchanged. The
function is called with ``source.args`` (plus ``path=source.path`` when set); a returned path is
read as IR (``.xml``) or converted by OpenVINO's front-ends (ONNX, TFLite, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import MISSING

from ovbuild.config.frozen import FrozenConfig
from ovbuild.errors import SourceError
from ovbuild.sources._ovc import convert_model
from ovbuild.sources._target import call_target, target_input_files
from ovbuild.sources.base import ModuleSource


def input_files(cfg: dict[str, Any]) -> list[Path]:
    """The converter's module file, ``source.path`` if set, and files named in ``source.args``."""
    return target_input_files(cfg, "converter")


def convert(ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """Run the converter and save what it returns as ``model.xml``.

    Returns:
        ``{"models": {"model": "model.xml"}, "returned": "model" | "path"}``.

    Raises:
        SourceError: the converter does not import, fails, or returns something unusable.
    """
    import openvino as ov

    produced = call_target(cfg, "converter")
    returned = "model"
    if isinstance(produced, (str, Path)):
        returned = "path"
        path = Path(produced)
        if not path.is_file():
            raise SourceError(f"source.converter: {cfg['converter']} returned {path}, which does not exist")
        # As for file sources, some graphs convert only once the recipe's input shapes are known.
        shapes = shapes or None
        try:
            if path.suffix == ".xml":
                produced = ctx.core.read_model(str(path))
            else:
                produced = convert_model(str(path), input=shapes) if shapes else convert_model(str(path))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SourceError(f"source.converter: OpenVINO cannot read {path}: {first}") from exc
    if not isinstance(produced, ov.Model):
        raise SourceError(
            f"source.converter: {cfg['converter']} returned {type(produced).__name__}, "
            "expected an openvino.Model or a model file path"
        )
    ctx.save_model(produced)
    return {"models": {"model": "model.xml"}, "returned": returned}


@dataclass(frozen=True)
class LegacySourceConfig(FrozenConfig):
    """``source:`` for existing conversion code: ``converter`` is a "module:function" returning
    an ``ov.Model`` or a model path, called with ``args`` (and ``path=`` when set)."""

    kind: str = "legacy"
    converter: str = MISSING
    path: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


class LegacySource(ModuleSource):
    kind = "legacy"
    schema = LegacySourceConfig
