"""Errors raised by histmap, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a map folder, precise enough to fix by hand."""

    file: str
    message: str
    feature: str | None = None
    field: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.feature is not None:
            where += f", feature {self.feature}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class HistmapError(Exception):
    """Base class of every error histmap reports to a user."""


class MapError(HistmapError, ValueError):
    """A map folder that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem], what: str = "the map"):
        self.problems = list(problems)
        lines = [("" if p.severity == "error" else f"{p.severity}: ") + str(p) for p in problems]
        super().__init__(f"{len(lines)} problem(s) in {what}:\n  " + "\n  ".join(lines))


class OutputError(HistmapError, OSError):
    """An output that cannot be written where it was asked for."""


class OptionError(HistmapError, ValueError):
    """A command option or API argument with a bad value."""


class HistmapWarning(UserWarning):
    """Something a map maker should know, that does not stop the drawing (e.g. characters
    the font has no glyph for); given once, with :mod:`warnings`."""
