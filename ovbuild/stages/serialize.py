"""``serialize``: the final IR with ovbuild's metadata, and its input/output signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ovbuild.config.frozen import FrozenConfig
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import SerializeResult
from ovbuild.store import CacheEntry


def port_spec(port: Any) -> dict[str, Any]:
    shape = port.get_partial_shape()
    return {
        "name": port.get_any_name(),
        "names": sorted(port.get_names()),
        "shape": [d.get_length() if d.is_static else -1 for d in shape] if shape.rank.is_static else None,
        "type": port.get_element_type().get_type_name(),
    }


@dataclass(frozen=True)
class SerializeConfig(FrozenConfig):
    """What ``serialize`` writes beside the IR."""

    name: str  # recorded in the IR's rt_info


class SerializeStage(Stage):
    name = "serialize"
    order = 80
    version = 1
    Result = SerializeResult

    def config(self, recipe: dict[str, Any]) -> SerializeConfig:
        return SerializeConfig(name=recipe["name"])

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: SerializeConfig) -> SerializeResult:
        model = ctx.read_model(parent)
        model.set_rt_info(config.name, ["ovbuild", "recipe"])
        ctx.save_model(model)
        return SerializeResult(
            inputs=[port_spec(p) for p in model.inputs], outputs=[port_spec(p) for p in model.outputs]
        )
