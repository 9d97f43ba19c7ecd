"""Legacy converter callables, reachable by a ``"module:function"`` reference.

A recipe names its legacy converter as ``source.converter: "module:function"`` (a string, so it
can live in YAML and enter the cache key). The old API passed a Python callable instead, often a
lambda or a nested function that no import can reach. :func:`register` keeps such a callable in
this module's registry and returns ``"ovbuild.compat.converters:<name>"``, which this module's
``__getattr__`` resolves. The name carries a digest of the callable's code and of the model path,
so a changed converter gets a new cache key while an unchanged one reuses the cache.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable
from typing import Any

_REGISTRY: dict[str, Callable[..., Any]] = {}


def _code_text(fn: Callable[..., Any]) -> str:
    """What identifies the converter's behaviour: its source, else its bytecode and constants."""
    target = fn if inspect.isfunction(fn) or inspect.ismethod(fn) or inspect.isclass(fn) else type(fn)
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        code = getattr(target, "__code__", None)
        if code is not None:
            return code.co_code.hex() + repr(code.co_consts)
        return f"{type(fn).__module__}.{type(fn).__qualname__}"


def converter_digest(fn: Callable[..., Any], model_path: str | None) -> str:
    """A short digest of a converter's code and the model path it converts."""
    text = f"{_code_text(fn)}\0{model_path or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def register(fn: Callable[..., Any], model_path: str | None = None) -> str:
    """Register a legacy converter callable; return the ``"module:function"`` reference to it.

    The registered wrapper calls ``fn(model_path)`` (the old API's convention: the converter gets
    the model path and returns an ``openvino.Model`` or a path to a model file), whatever arguments
    the source passes, because the legacy dict fixed the path when the converter was given.

    Args:
        fn: the converter; a function, lambda, bound method or callable object.
        model_path: the legacy ``model_path`` handed to ``fn``; ``None`` calls ``fn()``.

    Returns:
        ``"ovbuild.compat.converters:<name>"``.

    Raises:
        TypeError: ``fn`` is not callable.

    >>> ref = register(lambda path: path, "model.onnx")
    >>> ref.startswith("ovbuild.compat.converters:legacy_")
    True
    """
    if not callable(fn):
        raise TypeError(f"legacy_converter: expected a callable, got {type(fn).__name__}")
    label = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    label = re.sub(r"[^A-Za-z0-9_]+", "_", label).strip("_")[:40] or "converter"
    name = f"legacy_{label}_{converter_digest(fn, model_path)}"

    def converter(*_args: Any, **_kwargs: Any) -> Any:
        return fn(model_path) if model_path is not None else fn()

    converter.__name__ = converter.__qualname__ = name
    converter.__doc__ = f"Legacy converter {label!r} for {model_path!r} (registered by ovbuild.compat)."
    _REGISTRY[name] = converter
    return f"{__name__}:{name}"


def registered(name: str) -> Callable[..., Any] | None:
    """The wrapper registered under ``name``, if any."""
    return _REGISTRY.get(name)


def __getattr__(name: str) -> Callable[..., Any]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AttributeError(
            f"no legacy converter {name!r} is registered in this process "
            "(ovbuild.compat registers them when load_model is given a legacy_converter callable)"
        ) from None
