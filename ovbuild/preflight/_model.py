"""Input names and ranks in the recipe against the model file itself, read before any stage runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ovbuild.config.sections import source_of
from ovbuild.errors import SourceError, openvino_reason


@dataclass
class ModelInputs:
    names: list[str]  # one name per input, in order
    ranks: dict[str, int | None]  # every tensor name of every input -> its rank (None: dynamic)


def model_inputs(recipe: dict[str, Any]) -> ModelInputs | None:
    """The inputs of the source model, or None when it is not a file OpenVINO reads as it is (an
    ``hf`` or ``pytorch`` source is exported by a stage first; a missing file is the source
    stage's to report).

    Raises:
        SourceError: naming ``source.path``, when OpenVINO cannot parse the file.
    """
    source = recipe.get("source") or {}
    kind = source_of(source)
    path = kind.model_file(source) if kind is not None else None  # a file OpenVINO reads as it is
    if path is None:
        return None
    try:
        ports = _frontend_inputs(str(path))
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is not a model
        raise SourceError(
            f"source.path: OpenVINO cannot read {path} as {source['kind']}: {openvino_reason(exc)}"
        ) from exc
    names: list[str] = []
    ranks: dict[str, int | None] = {}
    for aliases, rank in ports:
        names.append(aliases[0])
        for alias in aliases:
            ranks[alias] = rank
    return ModelInputs(names, ranks)


def _frontend_inputs(path: str) -> list[tuple[list[str], int | None]]:
    """``[(tensor names, rank)]`` per input, read by OpenVINO's front-end without converting: an
    ONNX model whose shapes are dynamic cannot be converted before ``inputs`` fixes them, but its
    input names and ranks are in the file."""
    from openvino.frontend import FrontEndManager

    frontend = FrontEndManager().load_by_model(path)
    if frontend is None:
        raise ValueError(f"no OpenVINO front-end reads {path}")
    if frontend.get_name() == "ir":
        import openvino as ov

        model = ov.Core().read_model(path)
        shapes = [(sorted(p.get_names()) or [p.get_any_name()], p.get_partial_shape()) for p in model.inputs]
    else:
        loaded = frontend.load(path)
        shapes = [(place.get_names(), loaded.get_partial_shape(place)) for place in loaded.get_inputs()]
    return [(names, shape.rank.get_length() if shape.rank.is_static else None) for names, shape in shapes]


def shape_problems(recipe: dict[str, Any], inputs: ModelInputs | None) -> list[str]:
    if inputs is None:
        return []
    problems = []
    listed = ", ".join(inputs.names)
    for key, shapes in (
        ("inputs", recipe.get("inputs")),
        ("device.input_shapes", recipe["device"].get("input_shapes")),
    ):
        for name, dims in (shapes or {}).items():
            if name not in inputs.ranks:
                problems.append(f"{key}.{name}: the model has no input {name!r} (its inputs: {listed})")
                continue
            rank = inputs.ranks[name]
            if rank is not None and len(dims) != rank:
                problems.append(
                    f"{key}.{name}: {list(dims)} has {len(dims)} dimensions, but the model's input "
                    f"{name!r} has rank {rank}"
                )
    return problems
