"""The error hierarchy: every user mistake surfaces as one of these, raised ``from`` its cause."""

from __future__ import annotations


class OvbuildError(Exception):
    """Base of every error ovbuild reports to the user as one clear line (exit code 2)."""


class RecipeError(OvbuildError):
    """A recipe is malformed: unknown key, wrong type, bad enum value, missing value."""

    def __init__(self, problems: list[str] | str, recipe: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.recipe = recipe
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


class ArtifactError(OvbuildError):
    """An artifact in the store is missing, corrupt or cannot be loaded."""
