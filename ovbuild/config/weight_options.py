"""Cross-field checks of the weight-compression options (``precision.awq`` & co.) at recipe load.

Kept in ``config`` (no heavy imports) so ``ovbuild validate`` reports them before any build;
:mod:`ovbuild.precision.weights` turns the same options into ``nncf.compress_weights`` arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DATA_AWARE = ("awq", "scale_estimation", "gptq")
GROUP_SIZE_FALLBACKS = ("error", "ignore", "adjust")


def data_aware(cfg: Mapping[str, Any]) -> list[str]:
    """The data-aware algorithms the precision config turns on."""
    return [key for key in DATA_AWARE if cfg.get(key)]


def recipe_problems(raw: dict[str, Any]) -> list[str]:
    """Weight-compression settings that cannot work, found at recipe load (before any build)."""
    precision = raw.get("precision")
    if not isinstance(precision, dict):
        return []
    problems = []
    wanted = data_aware(precision)
    used = {precision.get("default"), *(r.get("precision") for r in precision.get("rules") or [])}
    if wanted and "int4_weights" not in used:
        problems.append(f"precision.{wanted[0]}: NNCF applies it to int4_weights only")
    if wanted and raw.get("calibration") is None:
        problems.append(
            f"precision.{wanted[0]}: data-aware compression needs calibration data; set a calibration "
            "group with text prompts, e.g. calibration=sentences"
        )
    fallback = precision.get("group_size_fallback")
    if fallback is not None and fallback not in GROUP_SIZE_FALLBACKS:
        problems.append(
            f"precision.group_size_fallback: {fallback!r} is not one of {', '.join(GROUP_SIZE_FALLBACKS)}"
        )
    return problems
