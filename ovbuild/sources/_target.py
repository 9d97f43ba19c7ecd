"""``"module:function"`` references used by the pytorch and legacy sources.

Resolving the module's *file* never imports it, so cache-key planning and ``ovbuild validate``
stay cheap; only ``convert`` imports and calls the function.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovbuild.errors import SourceError


def split_target(ref: str | None, key: str) -> tuple[str, str]:
    """``"pkg.mod:func"`` -> ``("pkg.mod", "func")``.

    Raises:
        SourceError: ``ref`` is empty or not of that form; the message names ``key``.
    """
    if not ref or ":" not in ref:
        raise SourceError(f"{key}: expected 'module:function', got {ref!r}")
    module, _, attr = ref.partition(":")
    if not module or not attr:
        raise SourceError(f"{key}: expected 'module:function', got {ref!r}")
    return module, attr


def target_file(ref: str | None, key: str) -> Path:
    """The source file of the module ``ref`` names, found without importing it.

    Raises:
        SourceError: the module cannot be found.
    """
    module, _ = split_target(ref, key)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:  # a missing parent package raises here
        raise SourceError(f"{key}: cannot import module {module!r} of {ref!r}: {exc}") from exc
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        raise SourceError(f"{key}: cannot import module {module!r} of {ref!r} (not found)")
    return Path(spec.origin).resolve()


def resolve_target(ref: str | None, key: str) -> Callable[..., Any]:
    """Import ``ref`` and return the callable it names.

    Raises:
        SourceError: the module does not import, or has no such callable.
    """
    module_name, attr = split_target(ref, key)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of user code is a bad source
        raise SourceError(f"{key}: cannot import module {module_name!r} of {ref!r}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise SourceError(f"{key}: module {module_name!r} has no callable {attr!r}")
    return func


def arg_files(args: dict[str, Any]) -> list[Path]:
    """Existing files named by string arguments (weights, configs): they enter the cache key."""
    files = []
    for value in args.values():
        if isinstance(value, str) and len(value) < 4096:
            path = Path(value).expanduser()
            if path.is_file():
                files.append(path.resolve())
    return files


def target_input_files(cfg: dict[str, Any], key: str) -> list[Path]:
    """What a ``module:function`` source reads: the module file named by ``source.<key>``,
    ``source.path`` if set, and files named in ``source.args``.

    Raises:
        SourceError: the module cannot be found, or ``source.path`` does not exist.
    """
    files = [target_file(cfg.get(key), f"source.{key}")]
    if cfg.get("path"):
        path = Path(cfg["path"]).expanduser()
        if not path.exists():
            raise SourceError(f"source.path: no such file: {path}")
        files.append(path.resolve())
    return files + arg_files(cfg.get("args") or {})


def call_target(cfg: dict[str, Any], key: str) -> Any:
    """Call the ``module:function`` named by ``source.<key>`` with ``source.args`` (and
    ``path=source.path`` when set) and return what it returns.

    Raises:
        SourceError: the function does not import, or it raises (the message names the key).
    """
    function = resolve_target(cfg.get(key), f"source.{key}")
    kwargs = dict(cfg.get("args") or {})
    if cfg.get("path"):
        kwargs.setdefault("path", cfg["path"])
    try:
        return function(**kwargs)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"source.{key}: {cfg[key]} failed: {type(exc).__name__}: {exc}") from exc
