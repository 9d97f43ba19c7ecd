"""``nncf.compress_weights`` options from the precision config, and its errors in recipe terms.

Covers what LLM recipes set: INT4 ``group_size`` / ``ratio`` / ``sym``, the backup precision of
layers kept out of INT4, ``all_layers``, the group-size fallback, and the data-aware algorithms
(AWQ, scale estimation, GPTQ) that need calibration data.
"""

from __future__ import annotations

import re
from typing import Any

from ovbuild.config.weight_options import data_aware
from ovbuild.errors import RecipeError, StageError


def compression_kwargs(cfg: dict[str, Any], bits: str, dataset: Any = None) -> dict[str, Any]:
    """Keyword arguments for ``nncf.compress_weights`` (``mode`` and scope excluded).

    Args:
        cfg: the ``precision`` config.
        bits: ``"INT8"`` or ``"INT4"``.
        dataset: an ``nncf.Dataset`` of model inputs, required by the data-aware algorithms.

    Raises:
        RecipeError: a data-aware algorithm without data or with INT8.
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
        if fallback:  # a bad name was refused at recipe load (config.weight_options)
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
