"""Problems found in a manuscript or met while building, each pointing at a file and line.

Every failure presswork reports is a :class:`PressworkError`; the command line prints
its diagnostics one per line and exits with the error's ``exit_code``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located where the editor typed it (``line`` and ``col`` count from 1)."""

    path: Path | None
    line: int | None
    col: int | None
    code: str
    severity: Severity
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        where = ""
        if self.path is not None:
            shown = self.path
            if relative_to is not None:
                try:
                    shown = self.path.relative_to(relative_to)
                except ValueError:
                    shown = self.path
            where = str(shown)
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        return f"{where}{self.code} {self.severity.value}: {self.message}"


def error(
    code: str,
    message: str,
    path: Path | None = None,
    line: int | None = None,
    col: int | None = None,
) -> Diagnostic:
    return Diagnostic(path, line, col, code, Severity.ERROR, message)


def warning(
    code: str,
    message: str,
    path: Path | None = None,
    line: int | None = None,
    col: int | None = None,
) -> Diagnostic:
    return Diagnostic(path, line, col, code, Severity.WARNING, message)


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
