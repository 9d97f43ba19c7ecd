"""``shape``: fix input shapes by input name (``recipe.inputs``), so nothing is inferred at run time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import ShapeResult
from ovbuild.store import CacheEntry


@dataclass(frozen=True)
class ShapeConfig(FrozenConfig):
    """``recipe.inputs``: the static shape of each named input."""

    inputs: Mapping[str, Sequence[int]]  # input name -> dims (-1 or null: dynamic)


class ShapeStage(Stage):
    name = "shape"
    order = 30
    produces_model = True
    version = 1
    Result = ShapeResult

    def config(self, recipe: dict[str, Any]) -> ShapeConfig | None:
        return ShapeConfig(inputs=recipe["inputs"]) if recipe.get("inputs") else None

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: ShapeConfig) -> ShapeResult:
        import openvino as ov

        model = ctx.read_model(parent)
        by_name = {name: port for port in model.inputs for name in port.get_names()}
        shapes = {}
        for name, dims in config.inputs.items():
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise StageError(f"inputs.{name}: the model has no input named {name!r} (inputs: {known})")
            current = by_name[name].get_partial_shape()
            wanted = ov.PartialShape([int(d) if d is not None and d >= 0 else -1 for d in dims])
            if not current.compatible(wanted):
                raise StageError(f"inputs.{name}: shape {list(dims)} does not fit the model's {current}")
            shapes[by_name[name]] = wanted
        try:
            model.reshape(shapes)
        except Exception as exc:
            raise StageError(f"inputs: OpenVINO cannot reshape to {thaw(config.inputs)}: {exc}") from exc
        ctx.save_model(model)
        return ShapeResult(shapes={k: list(v) for k, v in config.inputs.items()})
