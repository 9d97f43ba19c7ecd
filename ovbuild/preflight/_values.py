"""What a recipe's values mean, checked without the model: every problem names its key."""

from __future__ import annotations

import math
import re
from typing import Any

from ovbuild.config.ranges import range_problems
from ovbuild.store.paths import name_problem

_STATIC = ("int8", "auto")


def value_problems(recipe: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    name_issue = name_problem(recipe.get("name"))
    if name_issue:
        problems.append(f"name: {name_issue}")
    problems += _precision_problems(recipe)
    problems += _device_problems(recipe.get("device") or {})
    problems += _validate_problems(recipe.get("validate"))
    problems += _budget_problems(recipe)
    problems += _calibration_problems(recipe.get("calibration"))
    ranged = range_problems(recipe)
    if not any(p.startswith("frontend.") for p in ranged):  # its cross-checks assume sane values
        problems += _frontend_problems(recipe.get("frontend"))
    # A value outside its range is reported once, by its range: not again by a check built on it.
    keys = [p.partition(": ")[0] for p in ranged]
    return ranged + [p for p in problems if not any(k.startswith(p.partition(": ")[0]) for k in keys)]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
    if precision.get("preset") not in (None, "performance", "mixed"):
        problems.append(f"precision.preset: {precision['preset']!r} is not one of performance, mixed")
    budget = precision.get("accuracy") or {}
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
    metric = str(cfg.get("metric"))
    problems = _bound_problems(cfg, find_metric(metric), metric, "validate", ("min", "max", "worst"))
    for name, part in (cfg.get("parts") or {}).items():
        if isinstance(part, dict):
            which = str(part.get("metric") or metric)
            problems += _bound_problems(
                part, find_metric(which), which, f"validate.parts.{name}", ("min", "max")
            )
    if metric == "target" and not cfg.get("target"):
        problems.append("validate.target: required for validate.metric=target ('module:function')")
    return problems


def _bound_problems(cfg: dict[str, Any], known: Any, metric: str, key: str, bounds: tuple) -> list[str]:
    """The bounds of a gate inside the metric's range (registry), and ``min <= max``."""
    problems = []
    for bound in bounds:
        value = cfg.get(bound)
        if _finite(value) and known is not None and known.outside_range(value):  # NaN: range_problems
            problems.append(f"{key}.{bound}: {value} is outside the range of {metric}, {known.span}")
    if _finite(cfg.get("min")) and _finite(cfg.get("max")) and cfg["min"] > cfg["max"]:
        problems.append(f"{key}.min: {cfg['min']} is above {key}.max {cfg['max']}")
    return problems


def _budget_problems(recipe: dict[str, Any]) -> list[str]:
    """A budget looser than the gate: ``auto`` would choose a map the ``validate`` gate then fails."""
    from ovbuild.metrics.registry import at_least, at_most, find_metric

    budget = (recipe.get("precision") or {}).get("accuracy") or {}
    validate = recipe.get("validate") or {}
    if not _finite(budget.get("max_drop")) or not validate:
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

    problems = []
    if cfg.get("features") not in AUDIO_FEATURES:
        problems.append(
            f"frontend.features: {cfg.get('features')!r} is not one of {', '.join(AUDIO_FEATURES)}"
        )
    fmin, fmax, rate = cfg.get("fmin") or 0.0, cfg.get("fmax"), cfg.get("sample_rate") or 0
    if rate > 0 and fmin >= rate / 2:
        problems.append(f"frontend.fmin: {fmin} must lie below sample_rate/2 = {rate / 2:g}")
    if fmax is not None and rate > 0 and not fmin < fmax <= rate / 2:
        problems.append(f"frontend.fmax: {fmax} must lie above fmin and at most sample_rate/2 = {rate / 2:g}")
    n_fft, win = cfg.get("n_fft") or 0, cfg.get("win_length")
    if win is not None and n_fft > 0 and win > n_fft:
        problems.append(f"frontend.win_length: {win} is longer than frontend.n_fft {n_fft}")
    if n_fft > 0 and (cfg.get("n_mels") or 0) > n_fft // 2 + 1:
        problems.append(
            f"frontend.n_mels: {cfg['n_mels']} mel bands need more than the {n_fft // 2 + 1} frequency "
            f"bins of n_fft {n_fft}"
        )
    if cfg.get("features") == "mfcc" and (cfg.get("n_mfcc") or 0) > (cfg.get("n_mels") or 0):
        problems.append(f"frontend.n_mfcc: {cfg['n_mfcc']} is more than frontend.n_mels {cfg.get('n_mels')}")
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
