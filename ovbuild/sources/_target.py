"""Calling the ``"module:function"`` of the pytorch and legacy sources with ``source.args``.

Resolution itself is :mod:`ovbuild.target`'s; this adds what those two sources share: the files
their call reads (cache-key inputs) and one wrapping of the call's failures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.config.frozen import thaw
from ovbuild.errors import SourceError
from ovbuild.target import resolve_target, target_file


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
    files = [target_file(cfg.get(key), f"source.{key}", SourceError)]
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
    function = resolve_target(cfg.get(key), f"source.{key}", SourceError)
    kwargs = thaw(cfg.get("args") or {})  # the user's function gets plain dicts and lists, its own to change
    if cfg.get("path"):
        kwargs.setdefault("path", cfg["path"])
    try:
        return function(**kwargs)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"source.{key}: {cfg[key]} failed: {type(exc).__name__}: {exc}") from exc
