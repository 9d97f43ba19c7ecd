"""Check a sweep's overrides before Hydra launches it, so one bad value fails one variant only.

Hydra composes every job of a batch before launching any (``validate_batch_is_legal``): an
unknown config-group option such as ``precision=nope`` in ``precision=fp32,nope,fp16`` would
stop the whole sweep. Here each value of each discrete sweep is composed on its own first; the
values that cannot compose are taken out of the sweep and become failed variants that the
report lists with their reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Preflight:
    """The overrides to hand to Hydra and the variants taken out of the sweep."""

    argv: list[str]
    rejected: list[dict[str, object]] = field(default_factory=list)


def _is_override(arg: str) -> bool:
    return "=" in arg and not arg.startswith("-")


def _is_hydra_key(key: str) -> bool:
    # hydra.* and hydra/launcher=... do not change the job's config; leave them to Hydra.
    return key.lstrip("+~").split(".")[0].split("/")[0] == "hydra"


def _reason(exc: Exception) -> str:
    # compose_raw's RecipeError already names the key, the bad value and the valid choices
    return str(exc)


def split_sweep(argv: list[str]) -> Preflight:
    """Take the values that cannot be composed out of the discrete sweeps in ``argv``.

    Args:
        argv: the ``ovbuild build -m`` arguments (flags and Hydra overrides, in order).

    Returns:
        ``Preflight`` whose ``argv`` keeps every flag and override, with bad sweep values
        removed, and whose ``rejected`` lists one record per variant that will not run:
        ``{"overrides": [...], "status": "error", "error": reason}``.

    Raises:
        RecipeError: every value of some sweep is bad, or an override outside the sweeps is,
            so there is nothing to launch.

    >>> split_sweep(["-m", "recipe=silero_vad", "precision=fp32,nope"]).argv  # doctest: +SKIP
    ['-m', 'recipe=silero_vad', 'precision=fp32']
    """
    from ovbuild.config import compose_raw, register_recipes

    register_recipes()
    fixed, sweeps = _parse([a for a in argv if _is_override(a)])
    compose_raw(fixed)  # a bad fixed override fails every variant: one clear error now
    kept, bad = _try_values(fixed, sweeps)
    new_argv = [f"{sweeps[a][0]}={','.join(kept[a])}" if a in bad else a for a in argv]
    return Preflight(new_argv, _rejected(fixed, sweeps, kept, bad))


#: Each discrete sweep's original argument -> (key, values).
_Sweeps = dict[str, tuple[str, list[str]]]


def _parse(overrides: list[str]) -> tuple[list[str], _Sweeps]:
    """The fixed (non-sweep) overrides and the discrete sweeps; Hydra's own keys are left alone."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed: list[str] = []
    sweeps: _Sweeps = {}
    for arg, override in zip(overrides, parsed, strict=True):
        key = override.get_key_element()
        if _is_hydra_key(key):
            continue
        if override.is_sweep_override() and override.is_discrete_sweep():
            sweeps[arg] = (key, list(override.sweep_string_iterator()))
        elif not override.is_sweep_override():
            fixed.append(arg)
    return fixed, sweeps


def _try_values(
    fixed: list[str], sweeps: _Sweeps
) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """Compose every sweep value beside the fixed overrides: the values that compose, and the
    ``(value, reason)`` of those that do not.

    Raises:
        RecipeError: no value of some sweep composes.
    """
    from ovbuild.config import compose_raw
    from ovbuild.errors import RecipeError

    kept: dict[str, list[str]] = {}
    bad: dict[str, list[tuple[str, str]]] = {}
    for arg, (key, values) in sweeps.items():
        for value in values:
            try:
                compose_raw([*fixed, f"{key}={value}"])
            except RecipeError as exc:
                bad.setdefault(arg, []).append((value, _reason(exc)))
            else:
                kept.setdefault(arg, []).append(value)
        if arg not in kept:
            reasons = "; ".join(f"{key}={v}: {why}" for v, why in bad[arg])
            raise RecipeError(f"no value of the sweep {arg!r} can be composed: {reasons}")
    return kept, bad


def _rejected(
    fixed: list[str], sweeps: _Sweeps, kept: dict[str, list[str]], bad: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """One error record per variant a bad value takes out (crossed with the other sweeps' values)."""
    rejected = []
    for arg, failures in bad.items():
        key = sweeps[arg][0]
        others = [[f"{k}={v}" for v in kept[a]] for a, (k, _) in sweeps.items() if a != arg]
        for value, reason in failures:
            for combo in itertools.product(*others):
                rejected.append(
                    {"overrides": [*fixed, f"{key}={value}", *combo], "status": "error", "error": reason}
                )
    return rejected
