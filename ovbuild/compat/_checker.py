"""Collects every problem of a legacy config dict, each naming its legacy key."""

from __future__ import annotations

from typing import Any


def kind_of(value: Any) -> str:
    """The type name shown in messages."""
    return type(value).__name__


class Checker:
    """Reads keys of a legacy dict; each wrong value becomes one problem naming its key."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.problems: list[str] = []

    def get(self, key: str, types: tuple[type, ...], what: str) -> Any:
        """``config[key]`` when it is one of ``types`` (``bool`` only if listed), else ``None``."""
        value = self.config.get(key)
        if value is None:
            return None
        bad_bool = bool not in types and isinstance(value, bool)
        if not isinstance(value, types) or bad_bool:
            self.problems.append(f"{key}: expected {what}, got {kind_of(value)} {value!r}")
            return None
        return value

    def choice(self, key: str, value: str | None, table: dict[str, str] | tuple[str, ...]) -> str | None:
        """``value`` looked up case-insensitively in ``table`` (aliases -> canonical), else ``None``."""
        if value is None:
            return None
        norm = value.strip().lower()
        mapping = table if isinstance(table, dict) else {c.lower(): c for c in table}
        if norm not in mapping:
            shown = sorted(set(mapping)) if isinstance(table, dict) else list(table)
            self.problems.append(f"{key}: {value!r} is not one of {', '.join(shown)}")
            return None
        return mapping[norm]
