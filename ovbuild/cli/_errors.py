"""How the CLI reports a user error: one line, or the whole cause chain under ``--verbose``."""

from __future__ import annotations

import os
import sys
import traceback


def verbose() -> bool:
    """``--verbose`` was given (``main`` sets ``HYDRA_FULL_ERROR``) or the user set it."""
    return os.environ.get("HYDRA_FULL_ERROR") == "1"


def print_error(exc: BaseException) -> None:
    """``ovbuild: error: <message>`` on stderr, preceded by every chained exception in full
    (tracebacks and multi-line messages, e.g. OpenVINO's) when verbose."""
    if verbose():
        print("".join(traceback.format_exception(exc)), file=sys.stderr, end="")
    print(f"ovbuild: error: {exc}", file=sys.stderr, flush=True)
