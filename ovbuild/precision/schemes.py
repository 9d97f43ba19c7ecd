"""How INT8 is computed, searched before which layers stay float (issue 25, point 2).

When full INT8 misses the budget, ``auto`` first tries the schemes quantization experts reach for:
asymmetric activations (NNCF's ``mixed`` preset), activation ranges that clip outliers, bias
correction off, and for transformers other SmoothQuant strengths. The search is greedy over one
knob at a time: each knob's values are tried on top of the best scheme so far and kept only when
the measured drop falls. The scheme that wins is written into the map as plain precision keys
(``preset: mixed``, ``range_estimator: mean_quantile``, ...), so a recipe can pin it.
"""

from __future__ import annotations

from typing import Any

from ovbuild.precision.nncf_settings import SCHEME_KEYS, plain_value

#: Each knob and the values tried beside the recipe's own (the first value that differs is NNCF's
#: default behaviour, so "recipe's own" is always the baseline).
KNOBS: dict[str, tuple[Any, ...]] = {
    "preset": ("mixed",),
    "range_estimator": ("mean_quantile", "mean_minmax"),
    "bias_correction": (False,),
}
#: Only for graphs with attention (NNCF's transformer type applies SmoothQuant to MatMuls).
TRANSFORMER_KNOBS: dict[str, tuple[Any, ...]] = {"smooth_quant_alpha": (0.5, -1)}
#: A scheme must lower the drop by more than this share to replace the one before it: noise in
#: a score computed on a few dozen samples must not decide.
MIN_GAIN = 0.05


def scheme_label(scheme: dict[str, Any]) -> str:
    return "int8 " + ", ".join(f"{k}={v}" for k, v in scheme.items()) if scheme else "int8"


def knobs_for(cfg: dict[str, Any], transformer: bool) -> dict[str, tuple[Any, ...]]:
    """The values to try per knob, without the one the recipe already sets."""
    knobs = {**KNOBS, **(TRANSFORMER_KNOBS if transformer else {})}
    own = {k: plain_value(cfg.get(k)) for k in SCHEME_KEYS}
    return {k: tuple(v for v in values if v != own.get(k)) for k, values in knobs.items()}


def best_scheme(
    scorer: Any, drop: float, model: Any, cfg: dict[str, Any], transformer: bool, search: dict[str, Any]
) -> tuple[dict[str, Any], float, Any]:
    """``(scheme, its drop, its full-INT8 model)``: the recipe's own (``{}``) unless a tried one
    scores better. Every trial is recorded in ``search["schemes"]`` as ``[label, drop]``."""
    best: tuple[dict[str, Any], float, Any] = ({}, drop, model)
    tried = [[scheme_label({}), round(drop, 6)]]
    for knob, values in knobs_for(cfg, transformer).items():
        for value in values:
            scheme = {**best[0], knob: value}
            label = scheme_label(scheme)
            candidate_drop, candidate = scorer.trial(label, {"default": "int8", "rules": [], **scheme})
            tried.append([label, round(candidate_drop, 6)])
            if candidate_drop < best[1] * (1 - MIN_GAIN):
                best = (scheme, candidate_drop, candidate)
    search["schemes"] = {"tried": tried, "chosen": best[0]}
    return best


def pinned_scheme(cfg: dict[str, Any]) -> dict[str, Any]:
    """The scheme keys a recipe (or ``auto``) set away from NNCF's defaults, as plain values, for
    the manifest's map."""
    scheme = {}
    for key in SCHEME_KEYS:
        value = plain_value(cfg.get(key))
        if value is not None and not (key == "bias_correction" and value is True):
            scheme[key] = value
    return scheme
