"""Send ovbuild's log records (and Python warnings) to a legacy ``logger`` object.

The old backend took ``options={"logger": obj}`` and logged through ``obj.info/warning/error``.
Such an object may be a :class:`logging.Logger` or anything with those methods, so records are
forwarded by level name rather than through a ``logging`` hierarchy.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_ROOT = "ovbuild"


class LegacyHandler(logging.Handler):
    """A handler that calls ``target.<level>(message)`` for every record."""

    def __init__(self, target: Any) -> None:
        super().__init__(logging.DEBUG)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self, "_busy", False):  # a target logger under "ovbuild" would loop back here
            return
        self._busy = True
        try:
            message = record.getMessage()
            if isinstance(self.target, logging.Logger):
                self.target.log(record.levelno, "%s", message)
                return
            level = record.levelname.lower()
            method = getattr(self.target, level, None) or getattr(self.target, "info", None)
            if level == "critical" and method is None:
                method = getattr(self.target, "error", None)
            if callable(method):
                method(message)
        except Exception:  # a broken user logger must not break inference
            self.handleError(record)
        finally:
            self._busy = False


class _Once(logging.Filter):
    """Lets each warning text through once per facade call: the build and the loader both report
    the same device plan (e.g. a dropped GPU), and the user should read it once."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        text = record.getMessage()
        key = text.split(": ", 1)[1] if text.split(": ", 1)[0].isidentifier() else text
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def forwarding(target: Any | None) -> Iterator[list[str]]:
    """While active, ovbuild's records go to ``target`` and Python warnings become warning records.

    Yields:
        The list that collects every warning message logged meanwhile (filled as they come).
    """
    log = logging.getLogger(_ROOT)
    handler = LegacyHandler(target) if target is not None else None
    collector = _Collector()
    collector.addFilter(_Once())
    old_level = log.level
    log.addHandler(collector)
    # OpenVINO's converter raises the root logger to ERROR when a conversion fails (its ovc logger
    # set-up), which would silence ovbuild's warnings from then on: ovbuild's level is set here.
    wanted = logging.DEBUG if handler is not None else logging.WARNING  # "all log records"
    if log.getEffectiveLevel() > wanted:
        log.setLevel(wanted)
    if handler is not None:
        handler.addFilter(_Once())
        log.addHandler(handler)
    with warnings.catch_warnings():
        # Every ovbuild / loader warning (modules ovbuild.*, ovbuild_loader_*), not just the first.
        warnings.filterwarnings("always", module="ovbuild")
        # Logged as they happen, so a result built inside the block already lists them.
        warnings.showwarning = _log_warning
        try:
            yield collector.messages
        finally:
            log.removeHandler(collector)
            if handler is not None:
                log.removeHandler(handler)
            log.setLevel(old_level)


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_SHOW = warnings.showwarning


def _log_warning(
    message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """ovbuild's and the generated loaders' warnings become log records; others print as usual."""
    if str(filename).startswith(_PACKAGE_DIR) or Path(filename).name == "loader.py":
        logging.getLogger(f"{_ROOT}.compat").warning(str(message))
    else:
        _SHOW(message, category, filename, lineno, file, line)
