"""The one resolver of ``"module:function"`` recipe references (``source.factory``,
``source.converter``, ``calibration.target``, ``validate.target``, bench factories).

Every failure names the recipe key it came from, in one wording. Finding a module's *file* never
imports it, so cache-key planning and ``ovbuild validate`` stay cheap; only :func:`resolve_target`
imports user code.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovbuild.errors import OvbuildError, StageError


def split_target(ref: str | None, key: str, error: type[OvbuildError] = StageError) -> tuple[str, str]:
    """``"pkg.mod:func"`` -> ``("pkg.mod", "func")``.

    Raises:
        error: ``ref`` is empty or not of that form; the message names ``key``.
    """
    module, _, attr = (ref or "").partition(":")
    if not module or not attr:
        raise error(f"{key}: expected 'module:function', got {ref!r}")
    return module, attr


def target_file(ref: str | None, key: str, error: type[OvbuildError] = StageError) -> Path:
    """The source file of the module ``ref`` names, found without importing it.

    Raises:
        error: the module cannot be found.
    """
    module, _ = split_target(ref, key, error)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:  # a missing parent package raises here
        raise error(f"{key}: cannot import module {module!r} of {ref!r}: {exc}") from exc
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        raise error(f"{key}: cannot import module {module!r} of {ref!r} (not found)")
    return Path(spec.origin).resolve()


def resolve_target(ref: str | None, key: str, error: type[OvbuildError] = StageError) -> Callable[..., Any]:
    """Import ``ref`` and return the callable it names.

    Raises:
        error: the module does not import, or has no such callable.
    """
    module_name, attr = split_target(ref, key, error)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of user code is the recipe's problem
        raise error(f"{key}: cannot import module {module_name!r} of {ref!r}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise error(f"{key}: module {module_name!r} has no callable {attr!r}")
    return func
