"""What a recipe's values mean, checked without the model: every problem names its key."""

from __future__ import annotations

import re
from typing import Any

from ovbuild.store.paths import name_problem

_STATIC = ("int8", "auto")
_AUDIO_POSITIVE = ("sample_rate", "n_fft", "hop_length", "n_mels", "n_mfcc", "chunk_seconds")


def value_problems(recipe: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    name_issue = name_problem(recipe.get("name"))
    if name_issue:
        problems.append(f"name: {name_issue}")
    problems += _shape_problems(recipe.get("inputs") or {}, "inputs")
    problems += _precision_problems(recipe)
    problems += _device_problems(recipe.get("device") or {})
    problems += _validate_problems(recipe.get("validate"))
    problems += _budget_problems(recipe)
    problems += _calibration_problems(recipe.get("calibration"))
    problems += _frontend_problems(recipe.get("frontend"))
    return problems


def _shape_problems(shapes: dict[str, Any], key: str) -> list[str]:
    problems = []
    for name, dims in shapes.items():
        for i, dim in enumerate(dims or []):
            if not isinstance(dim, int) or isinstance(dim, bool) or (dim < 1 and dim != -1):
                problems.append(
                    f"{key}.{name}: dimension {i} is {dim!r}; each must be a positive size or -1 (dynamic)"
                )
    return problems


def _precision_problems(recipe: dict[str, Any]) -> list[str]:
    precision = recipe.get("precision") or {}
    problems = []
    for i, rule in enumerate(precision.get("rules") or []):
        pattern = rule.get("name")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"precision.rules[{i}].name: invalid regular expression {pattern!r}: {exc}")
    group = precision.get("group_size")
    if group is not None and group != -1 and group < 1:
        problems.append(f"precision.group_size: {group} must be a positive group size or -1 (per channel)")
    ratio = precision.get("ratio")
    if ratio is not None and not 0 < ratio <= 1:
        problems.append(f"precision.ratio: {ratio} must be in (0, 1]")
    dq = precision.get("dynamic_quantization_group_size")
    if dq is not None and dq < 0:
        problems.append(f"precision.dynamic_quantization_group_size: {dq} must be >= 0 (0 disables)")
    alpha = precision.get("smooth_quant_alpha")
    if alpha is not None and alpha != -1 and not 0 <= alpha <= 1:
        problems.append(f"precision.smooth_quant_alpha: {alpha} must be in [0, 1], or -1 to disable")
    if precision.get("preset") not in (None, "performance", "mixed"):
        problems.append(f"precision.preset: {precision['preset']!r} is not one of performance, mixed")
    budget = precision.get("accuracy") or {}
    if budget.get("max_drop") is not None and budget["max_drop"] < 0:
        problems.append(f"precision.accuracy.max_drop: {budget['max_drop']} must be >= 0")
    if budget.get("min_speedup") is not None and budget["min_speedup"] <= 0:
        problems.append(f"precision.accuracy.min_speedup: {budget['min_speedup']} must be > 0")
    if budget and budget.get("samples", 1) < 1:
        problems.append(f"precision.accuracy.samples: {budget['samples']} must be >= 1")
    if precision.get("default") == "auto" and budget:
        problems += _confirmation_problems(budget, recipe.get("calibration") or {})
    if recipe.get("calibration") is None:
        wanted = [("precision.default", precision.get("default"))]
        wanted += [
            (f"precision.rules[{i}].precision", r.get("precision"))
            for i, r in enumerate(precision.get("rules") or [])
        ]
        for key, value in wanted:
            if value in _STATIC:
                problems.append(
                    f"{key}: {value} needs calibration data; set a calibration group (e.g. "
                    "calibration=audio_dir calibration.path=DIR, calibration=npz) or use int8_weights"
                )
                break
    return problems


def _device_problems(device: dict[str, Any]) -> list[str]:
    from ovbuild.runtime.devices import parse_priorities, plan_devices
    from ovbuild.runtime.trust import WRITES_FILES

    problems = []
    try:
        for name, weight in parse_priorities(list(device.get("priorities") or ["CPU"])):
            if weight <= 0:
                problems.append(f"device.priorities: {name} has weight {weight:g}; weights must be positive")
        # Syntax only here (every device counts as present); presence and values come later.
        plan_devices(device, ["CPU", "GPU", "NPU"])
    except ValueError as exc:
        message = str(exc)
        problems.append(message if message.startswith("device.") else f"device.priorities: {message}")
    optimize = device.get("gpu_optimize")
    if optimize is not None and str(optimize).lower() not in ("modern", "legacy"):
        problems.append(f"device.gpu_optimize: {optimize!r} is not one of modern, legacy")
    for key in _flat(device.get("properties") or {}, "device.properties"):
        if WRITES_FILES.search(key.rsplit(".", 1)[-1]):
            problems.append(
                f"{key}: makes OpenVINO write files outside the store; ovbuild precompiles the "
                "device blobs into the artifact itself (cache/<DEVICE>.blob)"
            )
    problems += _shape_problems(device.get("input_shapes") or {}, "device.input_shapes")
    return sorted(set(problems), key=problems.index)


def _flat(properties: dict[str, Any], prefix: str) -> list[str]:
    """The full key of every leaf property (per-device tables flattened)."""
    out = []
    for key, value in properties.items():
        out += _flat(value, f"{prefix}.{key}") if isinstance(value, dict) else [f"{prefix}.{key}"]
    return out


def _validate_problems(cfg: dict[str, Any] | None) -> list[str]:
    from ovbuild.metrics.registry import find_metric

    if not cfg:
        return []
    problems = []
    metric = str(cfg.get("metric"))
    known = find_metric(metric)  # the schema already refused a name that is not a metric
    for bound in ("min", "max", "worst"):
        value = cfg.get(bound)
        if value is not None and known is not None and known.outside_range(value):
            problems.append(f"validate.{bound}: {value} is outside the range of {metric}, {known.span}")
    if cfg.get("min") is not None and cfg.get("max") is not None and cfg["min"] > cfg["max"]:
        problems.append(f"validate.min: {cfg['min']} is above validate.max {cfg['max']}")
    if cfg.get("worst_factor") is not None and cfg["worst_factor"] < 1:
        factor = cfg["worst_factor"]
        problems.append(f"validate.worst_factor: {factor} must be >= 1 (or null: no derived bound)")
    if cfg.get("samples", 1) < 1:
        problems.append(f"validate.samples: {cfg['samples']} must be >= 1")
    if metric == "target" and not cfg.get("target"):
        problems.append("validate.target: required for validate.metric=target ('module:function')")
    return problems


def _budget_problems(recipe: dict[str, Any]) -> list[str]:
    """A budget looser than the gate: ``auto`` would choose a map the ``validate`` gate then fails."""
    from ovbuild.metrics.registry import at_least, at_most, find_metric

    budget = (recipe.get("precision") or {}).get("accuracy") or {}
    validate = recipe.get("validate") or {}
    if budget.get("max_drop") is None or not validate:
        return []
    name = str(budget.get("metric") or validate.get("metric") or "cosine")
    metric = find_metric(name)
    if metric is None or metric.ideal is None or name != str(validate.get("metric") or "cosine"):
        return []  # another metric, or one measured against the reference: nothing to compare
    worst = metric.allowed(float(budget["max_drop"]))
    key, bound = ("min", validate.get("min")) if metric.higher_is_better else ("max", validate.get("max"))
    if bound is None:
        return []
    if at_least(worst, bound) if metric.higher_is_better else at_most(worst, bound):
        return []
    tightest = metric.drop(float(bound))
    return [
        f"precision.accuracy.max_drop: {budget['max_drop']} lets {name} reach {worst:.10g}, beyond "
        f"validate.{key} {bound}: the gate would fail the map auto chooses; set max_drop <= {tightest:.10g}"
    ]


def _calibration_problems(cfg: dict[str, Any] | None) -> list[str]:
    if not cfg:
        return []
    problems = []
    if cfg.get("samples", 1) < 1:
        problems.append(f"calibration.samples: {cfg['samples']} must be >= 1")
    if cfg.get("holdout", 0) < 0:
        problems.append(f"calibration.holdout: {cfg['holdout']} must be >= 0")
    kind = str(cfg.get("kind"))
    if kind in ("text_lines", "audio_dir", "image_dir", "npz") and not cfg.get("path"):
        problems.append(f"calibration.path: required for calibration.kind={kind}")
    if kind == "callable" and not cfg.get("target"):
        problems.append("calibration.target: required for calibration.kind=callable ('module:function')")
    return problems


def _frontend_problems(cfg: dict[str, Any] | None) -> list[str]:
    if not cfg or cfg.get("kind") != "audio":
        return []
    from ovbuild.runtime.audio.config import AUDIO_FEATURES

    problems = [
        f"frontend.{key}: {cfg[key]} must be positive"
        for key in _AUDIO_POSITIVE
        if cfg.get(key) is not None and cfg[key] <= 0
    ]
    if cfg.get("features") not in AUDIO_FEATURES:
        problems.append(
            f"frontend.features: {cfg.get('features')!r} is not one of {', '.join(AUDIO_FEATURES)}"
        )
    if cfg.get("fmin", 0) < 0:
        problems.append(f"frontend.fmin: {cfg['fmin']} must be >= 0")
    fmax, rate = cfg.get("fmax"), cfg.get("sample_rate") or 0
    if fmax is not None and rate > 0 and not cfg.get("fmin", 0) < fmax <= rate / 2:
        problems.append(f"frontend.fmax: {fmax} must lie above fmin and at most sample_rate/2 = {rate / 2:g}")
    if cfg.get("pad_or_chunk") not in ("pad", "chunk"):
        problems.append(f"frontend.pad_or_chunk: {cfg.get('pad_or_chunk')!r} is not one of pad, chunk")
    return problems


def _confirmation_problems(budget: dict[str, Any], calibration: dict[str, Any]) -> list[str]:
    """Too few samples for ``auto`` to confirm a map on a part its search never saw."""
    from ovbuild.precision.auto import MIN_CONFIRMATION

    used = min(budget.get("samples") or 100, calibration.get("samples") or budget.get("samples") or 100)
    if used >= 3 * MIN_CONFIRMATION:
        return []
    return [
        f"precision.accuracy.samples: auto scores {used} calibration samples, a third of them to "
        f"confirm the map on; at least {3 * MIN_CONFIRMATION} are needed (raise calibration.samples "
        "and precision.accuracy.samples)"
    ]
