"""The old API's error results: ``{"status": "error", "error": "<where>: <message>"}``, logged,
with messages in the legacy config's own terms."""

from __future__ import annotations

import logging
from typing import Any

from ovbuild.compat._data import DataError
from ovbuild.compat._legacy import Translation
from ovbuild.errors import OvbuildError, RecipeError

log = logging.getLogger("ovbuild.compat")


#: The keys the old documentation prints from every ``run_inference`` result, present (``None``)
#: on failure too, so ``result["throughput_items_per_sec"]`` never raises a KeyError.
RESULT_KEYS = ("results", "latency_ms", "throughput_items_per_sec")


def inference_error(where: str, exc: BaseException | str) -> dict[str, Any]:
    """A failed ``run_inference`` result: the error, and every documented key as ``None``."""
    return {**dict.fromkeys(RESULT_KEYS), **error_result(where, exc)}


def error_result(where: str, exc: BaseException | str) -> dict[str, Any]:
    """``{"status": "error", "error": "<where>: <message>"}``, logged; an unexpected exception
    is named by its type, a long message cut to six lines."""
    if isinstance(exc, str):
        message = exc
    elif isinstance(exc, RecipeError) and len(exc.problems) > 1:
        message = f"{len(exc.problems)} problems in the config: " + "; ".join(exc.problems)
    else:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        lines = [ln for ln in lines if not ln.startswith("Exception from ")]
        text = " ".join(lines) if len(lines) <= 6 else " ".join(lines[:6]) + " ..."
        known = isinstance(exc, (OvbuildError, DataError))
        message = text if known else f"{type(exc).__name__}: {text or 'no message'}"
    log.error(f"{where}: {message}")
    return {"status": "error", "error": f"{where}: {message}"}


def _legacy_text(message: str, translation: Translation) -> str:
    for path in translation.pending:
        message = message.replace(f"from {path}", "from calibration_data").replace(
            str(path), "calibration_data"
        )
    return message


def in_legacy_terms(exc: OvbuildError, translation: Translation) -> OvbuildError:
    """The same error, naming ``calibration_data`` instead of the file ovbuild wrote it to."""
    if isinstance(exc, RecipeError):
        problems = [_legacy_text(p, translation) for p in exc.problems]
        return RecipeError(problems, recipe=exc.recipe, warnings=exc.warnings)
    return type(exc)(_legacy_text(str(exc), translation))
