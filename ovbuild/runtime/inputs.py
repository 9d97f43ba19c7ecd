"""What a compiled model takes and gives: port specs, and one clear error for every bad input.

Every call sets every input afresh, so nothing from an earlier call can leak into a later one;
:func:`check_inputs` makes a missing, ``None``, misnamed, wrongly typed or wrongly shaped input
an :class:`InputError` naming the input and what it expects.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from typing import Any

import numpy as np


class InputError(ValueError):
    """An input is missing, ``None``, unknown, or of the wrong type or shape; the message names it."""


@dataclasses.dataclass(frozen=True)
class PortSpec:
    """One input or output: its name, every name OpenVINO knows it by, element type and shape.

    ``shape`` holds ``-1`` for a dynamic dimension and ``None`` for a dynamic rank; ``bounds`` holds
    each dimension's ``(min, max)`` (``max`` is -1 when unbounded).
    """

    name: str
    names: frozenset[str]
    dtype: np.dtype
    is_string: bool
    shape: tuple[int, ...] | None
    bounds: tuple[tuple[int, int], ...] | None

    def describe(self) -> str:
        kind = "string" if self.is_string else self.dtype.name
        return f"{kind} {list(self.shape) if self.shape is not None else '[...]'}"


def port_spec(port: Any, name: str | None = None) -> PortSpec:
    """The spec of an OpenVINO input or output port (``compiled.inputs[i]``)."""
    element = port.get_element_type()
    is_string = element.get_type_name() == "string"
    shape = port.get_partial_shape()
    if shape.rank.is_dynamic:
        dims, bounds = None, None
    else:
        dims = tuple(d.get_length() if d.is_static else -1 for d in shape)
        bounds = tuple((d.get_min_length(), d.get_max_length()) for d in shape)
    names = frozenset(port.get_names())
    return PortSpec(
        name=name if name in names else port.get_any_name(),
        names=names,
        dtype=np.dtype(object) if is_string else np.dtype(element.to_dtype()),
        is_string=is_string,
        shape=dims,
        bounds=bounds,
    )


def port_specs(ports: list[Any], preferred: list[str] | None = None) -> list[PortSpec]:
    """Specs of ``ports``, each named by ``preferred[i]`` (e.g. the manifest's names) when it is one
    of the port's names."""
    preferred = preferred or []
    return [port_spec(p, preferred[i] if i < len(preferred) else None) for i, p in enumerate(ports)]


def _expected(specs: list[PortSpec]) -> str:
    return "; ".join(f"{s.name}: {s.describe()}" for s in specs)


def _fit_dtype(spec: PortSpec, value: np.ndarray) -> np.ndarray:
    if spec.is_string:
        if value.dtype.kind not in "USO":
            raise InputError(
                f"input {spec.name!r}: expected strings, got {value.dtype} (shape {list(value.shape)})"
            )
        return value
    if value.dtype.kind in "USOV" or not np.can_cast(value.dtype, spec.dtype, casting="same_kind"):
        raise InputError(
            f"input {spec.name!r}: expected {spec.describe()}, got {value.dtype} {list(value.shape)} "
            f"(a {value.dtype} array does not convert to {spec.dtype} without changing its kind)"
        )
    return value.astype(spec.dtype, copy=False)


def _fit_shape(spec: PortSpec, value: np.ndarray) -> np.ndarray:
    if spec.shape is None:
        return value
    if value.ndim != len(spec.shape) and value.size == 1 and len(spec.shape) <= 1:
        return value.reshape(spec.shape if spec.shape else ())  # a scalar given as [1], or [1] as a scalar
    fits = value.ndim == len(spec.shape) and all(
        lo <= n and (hi < 0 or n <= hi) for n, (lo, hi) in zip(value.shape, spec.bounds, strict=True)
    )
    if not fits:
        raise InputError(f"input {spec.name!r}: expected {spec.describe()}, got shape {list(value.shape)}")
    return value


def _as_array(value: Any) -> np.ndarray:
    """An array for ``value``; an ``openvino.Tensor`` becomes a view of its data, which the infer
    request then copies (a tensor sharing NumPy memory is never handed to OpenVINO)."""
    if type(value).__name__ == "Tensor" and hasattr(value, "get_element_type"):
        is_string = value.get_element_type().get_type_name() == "string"
        return np.array(value.str_data) if is_string else value.data
    return np.asarray(value)


def check_inputs(specs: list[PortSpec], given: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``given`` as ``{spec name: array of the spec's dtype}``, or one :class:`InputError` listing every
    missing, ``None`` or unknown input, or naming the first of the wrong type or shape."""
    by_name = {n: s for s in specs for n in s.names | {s.name}}
    unknown = sorted(str(k) for k in given if k not in by_name)
    seen = {by_name[k].name: v for k, v in given.items() if k in by_name}
    missing = [s for s in specs if s.name not in seen]
    nones = [s for s in specs if s.name in seen and seen[s.name] is None]
    problems = []
    if missing:
        problems.append("missing " + ", ".join(f"{s.name!r} ({s.describe()})" for s in missing))
    if nones:
        problems.append("None for " + ", ".join(f"{s.name!r} ({s.describe()})" for s in nones))
    if unknown:
        problems.append(f"unknown input name(s) {unknown}")
    if problems:
        raise InputError(f"{'; '.join(problems)}. This model's inputs are: {_expected(specs)}")
    out = {}
    for spec in specs:
        value = seen[spec.name]
        try:
            value = _as_array(value)
        except Exception as exc:  # noqa: BLE001 - ragged lists and the like: say which input
            raise InputError(
                f"input {spec.name!r}: expected {spec.describe()}, got {type(value).__name__}"
            ) from exc
        out[spec.name] = _fit_shape(spec, _fit_dtype(spec, value))
    return out


def text_items(item: Any) -> list[str]:
    """``item`` (one string, or a sequence of them) as a list of strings.

    Raises:
        InputError: naming the first item that is not a ``str`` (``None``, a number, bytes: never
            silently turned into text) or is not valid Unicode (a lone surrogate).
    """
    if isinstance(item, str):
        texts = [item]
    else:
        try:
            texts = list(item)
        except TypeError:
            raise InputError(f"expected a string or a list of strings, got {type(item).__name__}") from None
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"text item {i}: expected a str, got {type(text).__name__} ({text!r:.60})")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"text item {i}: not valid Unicode (a lone surrogate {text[exc.start]!r} at {exc.start})"
            ) from None
    return texts


def refuse_special_file(path: Any, what: str, error: type[Exception] = InputError) -> None:
    """Raise ``error`` (naming ``what``) unless ``path`` is a regular file, without opening it: a
    FIFO would block the reader forever, a device (``/dev/zero``) never ends.

    Raises:
        FileNotFoundError: nothing is at ``path``.
        error: ``path`` is a directory, a FIFO, a device or a socket.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{what}: no such file") from None
    if stat.S_ISDIR(mode):
        raise error(f"{what}: is a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise error(f"{what}: is {kind}, not a regular file; refused without opening it")
