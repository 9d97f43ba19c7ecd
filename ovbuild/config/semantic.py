"""Checks that need more than the schema: they read the model's input signature (cheaply, without
compiling) and resolve ``module:function`` targets, so ``ovbuild validate`` and ``build`` catch
these before the first stage runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.sections import source_of


def _target_problem(ref: str | None, key: str) -> list[str]:
    from ovbuild.errors import OvbuildError
    from ovbuild.target import target_file

    try:
        target_file(ref, key)
    except OvbuildError as exc:
        return [str(exc)]
    return []


def _metric_problems(recipe: dict[str, Any]) -> list[str]:
    validate = recipe.get("validate") or {}
    budget = (recipe.get("precision") or {}).get("accuracy") or {}
    out = []
    if "target" in (validate.get("metric"), budget.get("metric")):
        if not validate.get("target"):
            out.append("validate.target: metric 'target' needs validate.target='module:function'")
        else:
            out += _target_problem(validate["target"], "validate.target")
    decode = (validate.get("detection") or {}).get("decode")
    if "detection" in (validate.get("metric"), budget.get("metric")) and decode and decode != "yolo":
        out += _target_problem(decode, "validate.detection.decode")
    return out


def _calibration_problems(recipe: dict[str, Any]) -> list[str]:
    precision = recipe.get("precision") or {}
    wanted = {precision.get("default"), *(r.get("precision") for r in precision.get("rules") or [])}
    if recipe.get("calibration") is not None or not wanted & {"auto", "int8"}:
        return []
    kind = (recipe.get("frontend") or {}).get("kind")
    group = {
        "image": "calibration=image_dir calibration.path=DIR",
        "audio": "calibration=audio_dir calibration.path=DIR",
        "text": "calibration=sentences",
    }.get(kind, "calibration=npz calibration.path=FILE (or calibration.kind=callable)")
    which = "auto" if "auto" in wanted else "int8"
    return [f"calibration: precision {which} needs calibration data; add the calibration group, e.g. {group}"]


def _model_inputs(recipe: dict[str, Any]) -> list[tuple[str, Any]] | None:
    source = recipe.get("source") or {}
    kind = source_of(source)
    path = kind.model_file(source) if kind is not None else None
    if path is None:
        return None
    import openvino as ov

    try:
        model = ov.Core().read_model(str(path))
    except Exception:  # an unreadable model is the source stage's error, with its own message
        return None
    return [(p.get_any_name(), p.get_partial_shape()) for p in model.inputs]


def _model_problems(recipe: dict[str, Any]) -> list[str]:
    frontend = recipe.get("frontend") or {}
    if not recipe.get("inputs") and frontend.get("kind") != "image":
        return []
    ports = _model_inputs(recipe)
    if ports is None:
        return []
    names = [n for n, _ in ports]
    out = [
        f"inputs.{name}: the model has no input {name!r} (its inputs: {', '.join(names)})"
        for name in recipe.get("inputs") or {}
        if name not in names
    ]
    if frontend.get("kind") == "image":
        import openvino as ov

        from ovbuild.errors import OvbuildError
        from ovbuild.frontends.image import ImageSteps, model_shape, problems

        steps = ImageSteps.from_config(frontend)
        out += problems(steps)
        shape = (recipe.get("inputs") or {}).get(names[0])
        try:
            model_shape(steps, ov.PartialShape(shape) if shape else ports[0][1])
        except OvbuildError as exc:
            out.append(str(exc))
    return out


def _code_problems(recipe: dict[str, Any]) -> list[str]:
    """``source.factory``/``source.converter`` and ``calibration.target`` name importable modules
    (found without importing them; see :mod:`ovbuild.target` for where they are looked up)."""
    source = recipe.get("source") or {}
    calibration = recipe.get("calibration") or {}
    refs = [(f"source.{k}", source.get(k)) for k in ("factory", "converter")]
    refs.append(("calibration.target", calibration.get("target")))
    return [p for key, ref in refs if ref for p in _target_problem(ref, key)]


def _text_length_problems(recipe: dict[str, Any]) -> list[str]:
    """``frontend.max_length`` within the positions a HF text model has embeddings for: a longer
    sentence would index past the position table inside OpenVINO."""
    import json

    frontend, source = recipe.get("frontend") or {}, recipe.get("source") or {}
    kind = source_of(source)
    hf_dir = kind.huggingface_dir(source) if kind is not None else None
    config = Path(str(hf_dir or "")) / "config.json"
    if frontend.get("kind") != "text" or not hf_dir or not config.is_file():
        return []
    try:
        positions = json.loads(config.read_text()).get("max_position_embeddings")
    except (OSError, ValueError, AttributeError):
        return []
    length = frontend.get("max_length")
    if isinstance(positions, int) and isinstance(length, int) and length > positions:
        return [f"frontend.max_length: {length} is more than the model's {positions} positions (config.json)"]
    return []


def recipe_problems(recipe: dict[str, Any]) -> list[str]:
    """Every problem of a schema-valid recipe (with defaults) that these checks can see."""
    return (
        _metric_problems(recipe)
        + _calibration_problems(recipe)
        + _model_problems(recipe)
        + _code_problems(recipe)
        + _text_length_problems(recipe)
    )
