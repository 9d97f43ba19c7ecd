"""``nncf.compress_weights`` options from the precision config, and its errors in recipe terms.

Covers what LLM recipes set: INT4 ``group_size`` / ``ratio`` / ``sym``, the backup precision of
layers kept out of INT4, ``all_layers``, the group-size fallback, and the data-aware algorithms
(AWQ, scale estimation, GPTQ) that need calibration data.
"""

from __future__ import annotations

import re
from typing import Any

from ovbuild.errors import RecipeError, StageError

DATA_AWARE = ("awq", "scale_estimation", "gptq")
_FALLBACKS = ("error", "ignore", "adjust")


def data_aware(cfg: dict[str, Any]) -> list[str]:
    """The data-aware algorithms the config turns on."""
    return [key for key in DATA_AWARE if cfg.get(key)]


def compression_kwargs(cfg: dict[str, Any], bits: str, dataset: Any = None) -> dict[str, Any]:
    """Keyword arguments for ``nncf.compress_weights`` (``mode`` and scope excluded).

    Args:
        cfg: the ``precision`` config.
        bits: ``"INT8"`` or ``"INT4"``.
        dataset: an ``nncf.Dataset`` of model inputs, required by the data-aware algorithms.

    Raises:
        RecipeError: a data-aware algorithm without data or with INT8, a bad fallback name.
    """
    import nncf
    from nncf.quantization.advanced_parameters import AdvancedCompressionParameters, GroupSizeFallbackMode

    wanted = data_aware(cfg)
    if wanted and bits != "INT4":
        raise RecipeError(f"precision.{wanted[0]}: NNCF applies it to int4_weights only")
    if wanted and dataset is None:
        raise RecipeError(
            f"precision.{wanted[0]}: data-aware compression needs calibration data; set a "
            "calibration group with text prompts, e.g. calibration=sentences"
        )
    kwargs: dict[str, Any] = {}
    if bits == "INT4":
        all_layers = cfg.get("all_layers")
        kwargs.update(
            ratio=cfg.get("ratio", 1.0),
            group_size=cfg.get("group_size", 128),
            all_layers=True if all_layers is None else bool(all_layers),
        )
        if cfg.get("backup_precision"):
            kwargs["backup_mode"] = nncf.BackupMode(str(cfg["backup_precision"]).lower())
        fallback = cfg.get("group_size_fallback")
        if fallback:
            if fallback not in _FALLBACKS:
                raise RecipeError(
                    f"precision.group_size_fallback: {fallback!r} is not one of {', '.join(_FALLBACKS)}"
                )
            kwargs["advanced_parameters"] = AdvancedCompressionParameters(
                group_size_fallback_mode=GroupSizeFallbackMode(fallback)
            )
    if wanted:
        kwargs.update(
            {key: True for key in wanted}, dataset=dataset, subset_size=len(list(dataset.get_data()))
        )
    return kwargs


def run_compress_weights(model: Any, mode: Any, ignored: list[str], kwargs: dict[str, Any]) -> Any:
    """``nncf.compress_weights`` whose failures name the recipe key to change.

    Raises:
        RecipeError: the group size does not divide some layer's channels (``precision.group_size``).
        StageError: NNCF rejects the configuration otherwise.
    """
    import nncf

    try:
        return nncf.compress_weights(
            model, mode=mode, ignored_scope=nncf.IgnoredScope(names=ignored, validate=False), **kwargs
        )
    except nncf.InvalidGroupSizeError as exc:
        sizes = sorted({int(n) for n in re.findall(r"channel size: (\d+)", str(exc))})
        raise RecipeError(
            f"precision.group_size: {kwargs.get('group_size')} does not divide the input channels "
            f"({', '.join(map(str, sizes)) or 'see the cause'}) of {str(exc).count('channel size:')} "
            "layers; choose a divisor of them or set precision.group_size_fallback=adjust (or ignore)"
        ) from exc
    except (ValueError, RuntimeError, nncf.ValidationError) as exc:
        raise StageError(f"precision: nncf.compress_weights rejected the configuration: {exc}") from exc


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
    if fallback is not None and fallback not in _FALLBACKS:
        problems.append(f"precision.group_size_fallback: {fallback!r} is not one of {', '.join(_FALLBACKS)}")
    return problems
