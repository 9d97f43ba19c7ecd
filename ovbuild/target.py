"""The one resolver of ``"module:function"`` recipe references (``source.factory``,
``source.converter``, ``calibration.target``, ``validate.target``, bench factories).

Every failure names the recipe key it came from, in one wording. Finding a module's *file* never
imports it, so cache-key planning and ``ovbuild validate`` stay cheap; only :func:`resolve_target`
imports user code.

Where a module is looked up: installed packages and ``sys.path`` first, then the directories of
the recipe files (:func:`add_search_dirs`, called when recipes are registered), then the working
directory. A directory where the module is found is appended to ``sys.path``, so the module's own
sibling imports work too.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ovbuild.errors import OvbuildError, StageError

_SEARCH_DIRS: list[Path] = []
_lock = threading.Lock()


def add_search_dirs(dirs: Iterable[Path]) -> None:
    """Directories of recipe files: a ``module:function`` a recipe names is also looked up there."""
    with _lock:
        for d in dirs:
            d = Path(d).resolve()
            if d not in _SEARCH_DIRS:
                _SEARCH_DIRS.append(d)


def search_dirs() -> list[Path]:
    """Where modules not on ``sys.path`` are looked for, in order: recipe directories, then cwd."""
    with _lock:
        return [*_SEARCH_DIRS, Path.cwd().resolve()]


def _make_importable(module: str) -> None:
    """Append the first search directory holding ``module``'s top-level name to ``sys.path``."""
    from importlib.machinery import PathFinder

    top = module.split(".")[0]
    try:
        if importlib.util.find_spec(top) is not None:
            return
    except (ImportError, ValueError):
        return
    for d in search_dirs():
        if PathFinder.find_spec(top, [str(d)]) is not None:
            with _lock:
                if str(d) not in sys.path:
                    sys.path.append(str(d))
            importlib.invalidate_caches()
            return


def _where() -> str:
    return ", ".join(str(d) for d in search_dirs())


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
    _make_importable(module)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:  # a missing parent package raises here
        raise error(f"{key}: cannot import module {module!r} of {ref!r}: {exc}") from exc
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        raise error(
            f"{key}: cannot import module {module!r} of {ref!r}: not installed, not on sys.path, "
            f"and no {module.split('.')[0]}.py or package beside the recipe or in the working "
            f"directory ({_where()})"
        )
    return Path(spec.origin).resolve()


def resolve_target(ref: str | None, key: str, error: type[OvbuildError] = StageError) -> Callable[..., Any]:
    """Import ``ref`` and return the callable it names.

    Raises:
        error: the module does not import, or has no such callable.
    """
    module_name, attr = split_target(ref, key, error)
    _make_importable(module_name)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of user code is the recipe's problem
        raise error(f"{key}: cannot import module {module_name!r} of {ref!r}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise error(f"{key}: module {module_name!r} has no callable {attr!r}")
    return func
