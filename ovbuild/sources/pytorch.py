"""PyTorch models from a factory: ``source.factory: "module:function"`` returning an ``nn.Module``.

The factory is called with ``source.args``; example inputs are built from the recipe's
``inputs`` (dynamic ``-1`` dims become 1 for tracing) and ``source.input_dtypes``. Conversion is
``openvino.convert_model`` on the module, falling back to ``torch.export`` when tracing fails.
"""

from __future__ import annotations

import time
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
    """The factory's module file, ``source.path`` if set, and files named in ``source.args``."""
    return target_input_files(cfg, "factory")


def example_inputs(inputs: dict[str, list[int]], dtypes: dict[str, str]) -> dict[str, Any]:
    """Seeded example tensors of the recipe's shapes (``-1`` -> 1), by input name.

    Raises:
        SourceError: the recipe declares no inputs, or an unknown dtype.
    """
    import numpy as np
    import torch

    if not inputs:
        raise SourceError("inputs: a pytorch source needs the example input shapes in `inputs`")
    unknown = set(dtypes) - set(inputs)
    if unknown:
        raise SourceError(f"source.input_dtypes: {sorted(unknown)} are not in inputs")
    rng = np.random.default_rng(0)
    out = {}
    for name, dims in inputs.items():
        shape = [d if d is not None and d > 0 else 1 for d in dims]
        try:
            dtype = np.dtype(dtypes.get(name, "float32"))
        except TypeError as exc:
            raise SourceError(f"source.input_dtypes.{name}: unknown dtype {dtypes[name]!r}") from exc
        if dtype.kind == "f":
            array = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind == "b":
            array = np.ones(shape, dtype)
        else:
            array = np.ones(shape, dtype)  # ids and indices: 1 is valid for any vocabulary
        out[name] = torch.from_numpy(array)
    return out


def build_module(cfg: dict[str, Any]) -> Any:
    """Call the factory and return the module in eval mode.

    Raises:
        SourceError: the factory fails or returns something that is not an ``nn.Module``.
    """
    import torch

    module = call_target(cfg, "factory")
    if not isinstance(module, torch.nn.Module):
        raise SourceError(
            f"source.factory: {cfg['factory']} returned {type(module).__name__}, not a torch.nn.Module"
        )
    return module.eval()


def convert(ctx: Any, cfg: dict[str, Any], shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """Convert the factory's module to ``model.xml``; inputs are named after ``recipe.inputs``.

    Returns:
        ``{"models": {"model": "model.xml"}, "method": "trace" | "torch.export", ...}``.

    Raises:
        SourceError: neither tracing nor ``torch.export`` converts the module.
    """
    import torch

    module = build_module(cfg)
    examples = example_inputs(shapes or {}, cfg.get("input_dtypes") or {})
    args = tuple(examples.values())
    started = time.perf_counter()
    method = "trace"
    try:
        with torch.no_grad():
            model = convert_model(module, example_input=args)
    except Exception as trace_exc:
        method = "torch.export"
        try:
            with torch.no_grad():
                exported = torch.export.export(module, args)
            model = convert_model(exported)
        except Exception as exc:
            raise SourceError(
                f"source.factory: OpenVINO cannot convert {cfg['factory']}: tracing failed ({trace_exc}); "
                f"torch.export failed ({type(exc).__name__}: {exc})"
            ) from exc
    if len(model.inputs) != len(examples):
        raise SourceError(
            f"inputs: the converted model has {len(model.inputs)} inputs, the recipe declares {len(examples)}"
        )
    # The recipe's names (in forward-argument order) become the IR's names, so `shape` and the
    # loader address inputs the way the recipe does.
    for port, name in zip(model.inputs, examples, strict=True):
        port.get_tensor().set_names({name})
    # Traced outputs are often unnamed; the manifest and loader need a name for each.
    for index, port in enumerate(model.outputs):
        if not port.get_names():
            port.get_tensor().set_names({"output" if len(model.outputs) == 1 else f"output_{index}"})
    ctx.save_model(model)
    return {
        "models": {"model": "model.xml"},
        "method": method,
        "module": type(module).__name__,
        "parameters": int(sum(p.numel() for p in module.parameters())),
        "convert_seconds": round(time.perf_counter() - started, 3),
    }


@dataclass(frozen=True)
class PytorchSourceConfig(FrozenConfig):
    """``source:`` for a PyTorch model: ``factory`` is a "module:function" returning an
    ``nn.Module``, called with ``args`` (and ``path=`` when set)."""

    kind: str = "pytorch"
    factory: str = MISSING
    path: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    # numpy dtype per input name for the example inputs built from ``inputs`` (float32)
    input_dtypes: dict[str, str] = field(default_factory=dict)


class PytorchSource(ModuleSource):
    kind = "pytorch"
    schema = PytorchSourceConfig
    torch_baseline = True

    def torch_module(self, cfg: Any) -> Any:
        return build_module(cfg)
