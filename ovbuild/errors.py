"""The error hierarchy: every user mistake surfaces as one of these, raised ``from`` its cause."""

from __future__ import annotations

import re


class OvbuildError(Exception):
    """Base of every error ovbuild reports to the user as one clear line (exit code 2)."""


class RecipeError(OvbuildError):
    """A recipe is malformed: unknown key, wrong type, bad enum value, missing value."""

    def __init__(
        self, problems: list[str] | str, recipe: str | None = None, warnings: list[str] | None = None
    ) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.recipe = recipe
        #: What was noticed besides the problems (e.g. unknown legacy keys), still worth reporting.
        self.warnings = list(warnings or [])
        where = f"recipe {recipe!r}: " if recipe else ""
        if len(self.problems) == 1:
            super().__init__(f"{where}{self.problems[0]}")
        else:
            body = "\n".join(f"  - {p}" for p in self.problems)
            super().__init__(f"{where}{len(self.problems)} problems:\n{body}")


class SourceError(OvbuildError):
    """The model source cannot be found, read or converted."""


class StageError(OvbuildError):
    """A stage failed while building."""


class GateMissed(StageError):
    """The candidate built, but its ``validate`` metric missed ``validate.min``/``max``.

    Carries what a sweep report needs to show the variant anyway: the metric, the measured value,
    the bound it missed and the candidate's cache entry (its IR, never published).
    """

    def __init__(
        self, message: str, *, metric: str, value: float, bound: dict, candidate: str | None
    ) -> None:
        super().__init__(message)
        self.metric, self.value, self.bound, self.candidate = metric, value, bound, candidate

    def record(self) -> dict:
        return {"metric": self.metric, "value": self.value, "bound": self.bound, "candidate": self.candidate}


class ArtifactError(OvbuildError):
    """An artifact in the store is missing, corrupt or cannot be loaded."""


class StoreWriteError(OvbuildError):
    """The store cannot be written: its disk is full, or it is read-only (the message names the
    device, the path and the store)."""


# Lines of an OpenVINO message that say where it failed, not why.
_LOCATION = re.compile(
    r"^(Check '.*' failed at |Exception from |FrontEnd API failed with|\[ONNX Frontend\]|While validating"
    r"|Model wasn't fully converted|Failed operations detailed log|Summary:|-- Conversion is failed for)"
)
_STATIC_RANK = ("rank has to be known", "rank().is_static()", "Unsupported input type dynamic")


def openvino_reason(exc: BaseException, *, shape_hint: str | None = None) -> str:
    """The useful line of an OpenVINO error, whose first line is often only a source location.

    Args:
        exc: the error.
        shape_hint: what to say when the message is about dynamic shapes (e.g. which
            ``inputs.NAME`` keys to set); the full message stays in the cause chain (``--verbose``).

    >>> openvino_reason(RuntimeError("Check 'x' failed at a.cpp:1:\\nThe input rank has to be known"))
    'the model needs static input shapes (The input rank has to be known)'
    """
    text = str(exc).strip()
    lines = [line.strip(" -") for line in text.splitlines() if line.strip(" -")]
    useful = [line for line in lines if not _LOCATION.match(line)]
    first = useful[0] if useful else (lines[0] if lines else type(exc).__name__)
    if len(useful) > 1 and len(first) < 40:  # a heading ("Converting input model"): add the reason
        first = f"{first.rstrip(':')}: {useful[1]}"
    if any(marker in text for marker in _STATIC_RANK):
        detail = next((line for line in useful if "rank" in line), first)
        return (
            f"the model needs static input shapes ({detail}); {shape_hint}"
            if shape_hint
            else (f"the model needs static input shapes ({detail})")
        )
    return first
