"""``precompile``: compile for every device of the plan that is present and export the blobs.

The blobs land in ``cache/<DEVICE>.blob``; the loader imports them instead of compiling, which
is what makes its first inference fast. The runtime graph of each compiled model is read back
to record which precision every node really executes in.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ovbuild.config.frozen import FrozenConfig, thaw
from ovbuild.errors import StageError
from ovbuild.stages.base import Stage, StageContext
from ovbuild.stages.results import PrecompileResult
from ovbuild.store import CacheEntry


def runtime_precisions(compiled: Any) -> dict[str, dict[str, int]]:
    """``{layer type: {precision: count}}`` from the compiled model's runtime graph."""
    from ovbuild.pins import runtime_nodes

    counts: Counter[tuple[str, str]] = Counter()
    for node in runtime_nodes(compiled):
        if node.layer not in ("Input", "Output", "Const", "Parameter", "Result", "Constant"):
            counts[(node.layer, node.precision or "?")] += 1
    table: dict[str, dict[str, int]] = {}
    for (layer, precision), n in sorted(counts.items()):
        table.setdefault(layer, {})[precision] = n
    return table


def _type_name(value: Any) -> str:
    return value.get_type_name() if hasattr(value, "get_type_name") else str(value)


@dataclass(frozen=True)
class PrecompileConfig(FrozenConfig):
    """What ``precompile`` compiles for."""

    device: Mapping[str, Any]  # the recipe's device section: the plan to compile for
    frontend: Mapping[str, Any] | None = None  # an embedded audio front-end: compiled for one row a request


def _row_shapes(model: Any, frontend: dict[str, Any] | None) -> dict[str, list[int]]:
    from ovbuild.runtime.batches import frontend_row_shapes

    if not frontend:
        return {}
    inputs = []
    for port in model.inputs:
        shape = port.get_partial_shape()
        dims = [d.get_length() if d.is_static else -1 for d in shape] if shape.rank.is_static else None
        inputs.append({"name": port.get_any_name(), "shape": dims})
    return frontend_row_shapes(frontend, inputs)


class PrecompileStage(Stage):
    name = "precompile"
    order = 90
    version = 3
    Result = PrecompileResult

    def config(self, recipe: dict[str, Any]) -> PrecompileConfig:
        frontend = recipe.get("frontend") or {}
        audio = frontend.get("kind") == "audio" and frontend.get("embed", True)
        rows = {"kind": "audio", "embedded": True, "features": frontend.get("features")} if audio else None
        return PrecompileConfig(device=recipe["device"], frontend=rows)

    def run(self, ctx: StageContext, parent: CacheEntry | None, config: PrecompileConfig) -> PrecompileResult:
        from ovbuild.runtime.devices import available_devices, compile_with_plan, plan_devices

        available = available_devices()
        device_cfg = thaw(config.device)
        try:
            plan = plan_devices(device_cfg, available)
        except ValueError as exc:
            raise StageError(f"device: {exc}") from exc
        for warning in plan.warnings:
            ctx.log.warning("%s", warning)
        model = ctx.read_model(parent)
        blobs: dict[str, Any] = {}
        (ctx.out_dir / "cache").mkdir()
        rows = _row_shapes(model, thaw(config.frontend))
        for device in plan.used:
            single = plan_devices({**device_cfg, "priorities": [device], "mode": "single"}, available)
            if rows and not single.reshape:  # as the loader compiles it (runtime/batches.py)
                single = dataclasses.replace(single, reshape=rows)
            started = time.perf_counter()
            try:
                compiled = compile_with_plan(ctx.core, model, single)
            except RuntimeError as exc:
                raise StageError(f"device: {exc}") from exc
            seconds = time.perf_counter() - started
            blob = f"cache/{device}.blob"
            (ctx.out_dir / blob).write_bytes(compiled.export_model().getvalue())
            blobs[device] = {
                "blob": blob,
                "properties": single.properties,
                "compile_seconds": round(seconds, 4),
                "runtime_precisions": runtime_precisions(compiled),
                # An ov.Type: its name ("bf16"), not its repr, so the manifest holds plain strings.
                "inference_precision": _type_name(compiled.get_property("INFERENCE_PRECISION_HINT")),
            }
        return PrecompileResult(plan=plan.to_json(), available=available, blobs=blobs)
