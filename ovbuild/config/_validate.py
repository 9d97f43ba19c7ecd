"""Checks a composed recipe against the schema and collects every problem, with full key paths."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from enum import Enum
from typing import Any

from ovbuild.config.postprocess import POSTPROCESS_SCHEMAS
from ovbuild.config.schema import FRONTEND_SCHEMAS, Recipe
from ovbuild.config.sections import SECTIONS, SOURCE_SCHEMAS
from ovbuild.config.weight_options import recipe_problems
from ovbuild.store.paths import name_problem

_MISSING = "???"


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check(value: Any, tp: Any, path: str, errors: list[str]) -> None:
    tp, optional = _unwrap_optional(tp)
    if value is None:
        if not optional and tp is not Any:
            errors.append(f"{path}: must not be null")
        return
    if value == _MISSING:
        errors.append(f"{path}: missing required value")
        return
    if tp is Any:
        return
    if dataclasses.is_dataclass(tp):
        _check_dataclass(value, tp, path, errors)
        return
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__} {value!r}")
            return
        (item_tp,) = typing.get_args(tp) or (Any,)
        for i, item in enumerate(value):
            _check(item, item_tp, f"{path}[{i}]", errors)
        return
    if origin is dict:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping, got {type(value).__name__} {value!r}")
            return
        _, val_tp = typing.get_args(tp) or (str, Any)
        for key, item in value.items():
            _check(item, val_tp, f"{path}.{key}", errors)
        return
    if isinstance(tp, type) and issubclass(tp, Enum):
        allowed = [m.value for m in tp]
        if value not in allowed:
            errors.append(
                f"{path}: {value!r} is not one of {', '.join(map(str, allowed))}"
                + _suggest(str(value), [str(a) for a in allowed])
            )
        return
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        str: isinstance(value, str),
    }.get(tp, True)
    if not ok:
        errors.append(f"{path}: expected {tp.__name__}, got {type(value).__name__} {value!r}")


def _check_dataclass(value: Any, cls: type, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        errors.append(f"{path or 'recipe'}: expected a mapping, got {type(value).__name__} {value!r}")
        return
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in fields:
            errors.append(f"{prefix}{key}: unknown key" + _suggest(str(key), list(fields)))
    for name, f in fields.items():
        if name in value:
            _check(value[name], hints[name], f"{prefix}{name}", errors)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            errors.append(f"{prefix}{name}: missing required value")
        elif f.default == _MISSING:
            errors.append(f"{prefix}{name}: missing required value")


#: Sections whose schema is chosen by their ``kind``: the same dispatch for every such group.
_BY_KIND = {"frontend": FRONTEND_SCHEMAS, "source": SOURCE_SCHEMAS, "postprocess": POSTPROCESS_SCHEMAS}


def _check_by_kind(value: Any, section: str, errors: list[str]) -> None:
    schemas = _BY_KIND[section]
    if value is None or value == _MISSING:
        return  # the Recipe walk reports a missing required section
    if not isinstance(value, dict) or "kind" not in value:
        errors.append(f"{section}: expected a mapping with a 'kind' ({', '.join(schemas)})")
        return
    cls = schemas.get(value["kind"])
    if cls is None:
        errors.append(
            f"{section}.kind: {value['kind']!r} is not one of {', '.join(schemas)}"
            + _suggest(str(value["kind"]), list(schemas))
        )
        return
    _check_dataclass(value, cls, section, errors)


_TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _check_text_padding(frontend: dict[str, Any], errors: list[str], inputs: Any) -> None:
    """Padding to the longest sentence gives a new sequence length per batch: it needs that axis
    dynamic. A static one (``[1, 128]``) takes ``padding: max_length``."""
    padding = frontend.get("padding", "longest")
    if padding not in ("longest", "max_length"):
        errors.append(f"frontend.padding: {padding!r} is not one of longest, max_length")
        return
    static = [
        name
        for name, dims in (inputs if isinstance(inputs, dict) else {}).items()
        if name in _TOKEN_INPUTS and isinstance(dims, list) and len(dims) > 1 and (dims[-1] or -1) > 0
    ]
    if padding == "longest" and static:
        errors.append(
            f"frontend.padding: 'longest' needs a dynamic sequence axis, but inputs.{static[0]} is "
            f"{inputs[static[0]]}; use [-1, -1] or set frontend.padding=max_length"
        )


def find_problems(raw: dict[str, Any]) -> list[str]:
    """Every schema problem of a composed (resolved, plain) recipe; empty when it is valid."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        _check_dataclass(raw, Recipe, "", errors)
        return errors
    _check_dataclass({k: v for k, v in raw.items() if k not in SECTIONS}, Recipe, "", errors)
    for section in _BY_KIND:
        _check_by_kind(raw.get(section), section, errors)
    for name, schema in SECTIONS.items():
        if raw.get(name) is not None:
            _check(raw[name], schema, name, errors)
    errors.extend(recipe_problems(raw))
    if isinstance(raw.get("name"), str) and raw["name"] != _MISSING:
        problem = name_problem(raw["name"])
        if problem:
            errors.append(f"name: {problem}")
    frontend = raw.get("frontend")
    if isinstance(frontend, dict) and frontend.get("kind") == "text":
        _check_text_padding(frontend, errors, raw.get("inputs"))
    return errors


def _filled(schema: type, value: dict[str, Any]) -> dict[str, Any]:
    from omegaconf import OmegaConf

    # ``value`` is resolved already: a ``${`` left in it is literal text (a path, a description),
    # escaped so that OmegaConf neither interpolates it nor fails to parse it.
    merged = OmegaConf.merge(OmegaConf.structured(schema), _escaped(value))
    return OmegaConf.to_container(merged, resolve=True, enum_to_str=True)


_INTERPOLATION = re.compile(r"(\\*)\$\{")


def _escaped(value: Any) -> Any:
    """``value`` with every ``${`` escaped as OmegaConf reads it back (``\\${``; a backslash before
    it doubled), so resolving gives the original text."""
    if isinstance(value, str):
        return _INTERPOLATION.sub(lambda m: "\\" * (2 * len(m.group(1)) + 1) + "${", value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def with_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """The recipe with every schema default filled in (call only on a valid recipe)."""
    own = {*_BY_KIND, *SECTIONS}
    result = _filled(Recipe, {k: v for k, v in raw.items() if k not in own})
    for section, schemas in _BY_KIND.items():
        value = raw.get(section)
        result[section] = _filled(schemas[value["kind"]], value) if value is not None else None
    for name, schema in SECTIONS.items():
        if raw.get(name) is not None:
            result[name] = _filled(schema, raw[name])
    return result
