"""Third-party noise during a build goes to the build's log file, with a one-line count.

transformers' load reports and loss-type notices, TracerWarnings and empty progress bars say
nothing about the build the user asked for. While :func:`third_party_to_log` is active, Python
warnings raised outside ovbuild and everything written to ``sys.stderr`` by Python code (the
libraries' own log handlers and progress bars write there) are appended to the log file instead;
ovbuild's own log records keep their console handler, which holds the real stream.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parents[1])


@dataclass
class Captured:
    """What was diverted: the log file, and how many warnings and stderr lines went there."""

    path: Path
    warnings: int = 0
    lines: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str | None:
        if not self.warnings and not self.lines:
            return None
        top = ", ".join(f"{k} x{n}" for k, n in sorted(self.kinds.items(), key=lambda kv: -kv[1])[:3])
        return (
            f"  {self.warnings} third-party warnings and {self.lines} lines of library output "
            f"(e.g. {top or 'progress bars'}) are in {self.path}"
        )


class _Diverted(io.TextIOBase):
    """A stderr stand-in: into the log while a build runs, the real stderr afterwards (a library
    handler created meanwhile keeps a reference to this object)."""

    def __init__(self, real: object, log: io.TextIOBase, captured: Captured) -> None:
        self.real, self.log, self.captured = real, log, captured
        self.active = True

    def write(self, text: str) -> int:
        if not self.active:
            return self.real.write(text)
        self.captured.lines += text.count("\n")
        return self.log.write(text)

    def flush(self) -> None:
        (self.log if self.active else self.real).flush()


@contextlib.contextmanager
def third_party_to_log(path: Path) -> Iterator[Captured]:
    """Divert third-party warnings and stderr output to ``path`` (appended) while active."""
    captured = Captured(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", buffering=1) as log, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diverted = _Diverted(sys.stderr, log, captured)
        sys.stderr = diverted
        try:
            yield captured
        finally:
            sys.stderr = diverted.real
            diverted.active = False
            _sort_warnings(caught, log, captured)


def _sort_warnings(caught: list[warnings.WarningMessage], log: io.TextIOBase, captured: Captured) -> None:
    """ovbuild's own warnings go back to the console; the others into the log, counted by kind."""
    for w in caught:
        if str(w.filename).startswith(_PACKAGE) or Path(w.filename).name == "loader.py":
            logging.getLogger("ovbuild").warning("%s", w.message)
            continue
        captured.warnings += 1
        kind = w.category.__name__
        captured.kinds[kind] = captured.kinds.get(kind, 0) + 1
        log.write(f"{w.filename}:{w.lineno}: {kind}: {w.message}\n")
