"""Problems found in a manuscript or met while building, each pointing at a file and line.

In: a code of :data:`presswork.codes.CODES`, a message and where the problem is. Out: a
:class:`Diagnostic`, whose severity is the code's. Stages record what they find in a
:class:`Report` and carry on, so that one run names every problem; a build that meets an
error raises a :class:`PressworkError` with them, which the command line prints one per
line before exiting with the error's ``exit_code``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from presswork.codes import CODES, Severity


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located where the editor typed it (``line`` and ``col`` count from 1)."""

    path: Path | None
    line: int | None
    col: int | None
    code: str
    severity: Severity
    message: str

    def shown_path(self, relative_to: Path | None = None) -> str | None:
        """The path as the user should see it: relative to ``relative_to`` (the folder the
        command was run in), or as given."""
        if self.path is None:
            return None
        if relative_to is None:
            return str(self.path)
        return os.path.relpath(self.path, relative_to)

    def as_dict(self, relative_to: Path | None = None) -> dict[str, str | int | None]:
        return {
            "path": self.shown_path(relative_to),
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }

    def format(self, relative_to: Path | None = None) -> str:
        where = ""
        shown = self.shown_path(relative_to)
        if shown is not None:
            where = shown
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return f"{where}{self.code} {self.severity.value}: {self.message}"


def diagnostic(
    code: str,
    message: str,
    path: Path | None = None,
    line: int | None = None,
    col: int | None = None,
) -> Diagnostic:
    """A problem of kind ``code`` (its severity is the code's), located where given."""
    return Diagnostic(path, line, col, code, CODES[code].severity, message)


class Report:
    """The diagnostics of one run, in the order found."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def sorted(self) -> list[Diagnostic]:
        """By file, then line and column; problems without a file first."""
        return sorted(
            set(self.diagnostics),
            key=lambda d: (str(d.path or ""), d.line or 0, d.col or 0, d.code, d.message),
        )


class PressworkError(Exception):
    """A failure the user can act on; carries one or more diagnostics."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = diagnostics if isinstance(diagnostics, list) else [diagnostics]
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class ManuscriptError(PressworkError):
    """The manuscript cannot be turned into a book: bad manifest, missing file, broken note."""


class OutputError(PressworkError):
    """An edition could not be written (output folder not writable, renderer failure)."""

    exit_code = 3
