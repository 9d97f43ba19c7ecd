"""Hydra's composition errors as one line that names the fix: the key or group, a did-you-mean and
the choices, never Hydra's advice to use ``+`` (no documented key needs it)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_OVERRIDE = re.compile(r"Could not override '([^']+)'")
_MISSING = re.compile(r"Could not (?:find|load) '([^']+)'")
_PARSE = re.compile(r"Error parsing override '([^']*)'")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def top_level_keys() -> list[str]:
    """Every key a recipe may set at its top level: the schema's fields and the config groups."""
    from dataclasses import fields

    from ovbuild.config.schema import Recipe

    return sorted({f.name for f in fields(Recipe)} | {"recipe"})


def unknown_recipe(name: str, known: Iterable[str], dirs: str) -> str:
    known = sorted(known)
    return (
        f"recipe={name}: unknown recipe {name!r}{did_you_mean(name, known)}; "
        f"known in {dirs}: {', '.join(known) or 'none'}"
    )


def _override_value(overrides: list[str], key: str) -> str:
    for item in overrides:
        k, eq, v = item.partition("=")
        if eq and k.lstrip("+~") == key:
            return v
    return "..."


def rewrite(exc: BaseException, overrides: list[str]) -> str | None:
    """One line for a Hydra composition error, or None to keep Hydra's own first lines."""
    from ovbuild.errors import OvbuildError

    cause = exc.__cause__ or exc.__context__
    while cause is not None and not isinstance(cause, OvbuildError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:  # ovbuild's own error raised by a resolver (${pkg_path:...}): keep it
        key = getattr(exc, "full_key", None)
        return f"{key}: {cause}" if key else str(cause)
    text = str(exc)
    found = _OVERRIDE.search(text)
    if found:
        key = found.group(1)
        keys = top_level_keys()
        return (
            f"{key}={_override_value(overrides, key)}: unknown key {key!r}{did_you_mean(key, keys)}; "
            f"top-level keys: {', '.join(keys)}"
        )
    found = _MISSING.search(text)
    options = getattr(exc, "options", None)
    if found and "/" in found.group(1):
        group, _, choice = found.group(1).rpartition("/")
        listed = ", ".join(options) if options else "none"
        return (
            f"{group}={choice}: no {group} config {choice!r}{did_you_mean(choice, options or [])}; "
            f"choices: {listed}"
        )
    found = _PARSE.search(text)
    if found:
        return f"cannot read override {found.group(1)!r}: write KEY=VALUE (e.g. precision=int8)"
    if "Multiple values for" in text:
        group = text.split("Multiple values for", 1)[1].split(".")[0].strip()
        return f"{group} is chosen twice: write {group}=CHOICE once, without '+'"
    return None
