"""What a build says when it ends: for people, two lines; for machines, one JSON document.

In: what :func:`presswork.commands.build.build` wrote (or the problems that stopped it),
the seconds it took and each step's, and the folder paths are shown relative to. Out:
the lines ``build`` prints, and the document ``build --json`` prints, whose form is
``docs/schemas/build.schema.json`` (:data:`SCHEMA_VERSION` is its ``version``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from presswork import __version__
from presswork.codes import Severity
from presswork.editions import Edition
from presswork.errors import Diagnostic

if TYPE_CHECKING:  # the build is loaded once a layout process is warming up
    from presswork.commands.build import Artifact, Built

SCHEMA_VERSION = 1


def shown(path: Path, cwd: Path) -> str:
    """A path as the person who ran the command typed it: relative where it can be."""
    try:
        return str(path.resolve().relative_to(cwd))
    except ValueError:
        return str(path)


def size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    return f"{count / 1024:.0f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


def described(artifact: Artifact, cwd: Path) -> str:
    """``output/report.pdf (1.2 MB, 96 pages)``; an ePub's pages are the printed pages
    its page-list names, not pages of its own, so they are not given."""
    pages = ""
    if artifact.pages is not None and artifact.edition not in (None, Edition.EPUB):
        pages = f", {artifact.pages} pages"
    return f"{shown(artifact.path, cwd)} ({size(artifact.size)}{pages})"


def lines(built: Built, seconds: float, cwd: Path) -> list[str]:
    return [
        "wrote " + ", ".join(described(a, cwd) for a in built.artifacts),
        f"built in {seconds:.1f} s: {built.work.summary()}",
    ]


def counted(diagnostics: Sequence[Diagnostic]) -> str:
    """``2 errors, 1 warning``: the problems a failed build printed."""
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING):
        n = sum(d.severity is severity for d in diagnostics)
        if n or severity is Severity.ERROR:
            parts.append(f"{n} {severity.value}{'' if n == 1 else 's'}")
    return ", ".join(parts)


def document(
    built: Built | None,
    diagnostics: Sequence[Diagnostic],
    seconds: float,
    timings: dict[str, float],
    cwd: Path,
) -> dict[str, object]:
    """The build summary for machines; ``built`` None: nothing was written."""
    files = [] if built is None else built.artifacts
    return {
        "version": SCHEMA_VERSION,
        "presswork": __version__,
        "built": built is not None,
        "seconds": round(seconds, 3),
        "files": [
            {
                "path": shown(a.path, cwd),
                "edition": None if a.edition is None else a.edition.value,
                "bytes": a.size,
                "pages": a.pages,
                "sha256": a.sha256,
            }
            for a in files
        ],
        "laid_out": None if built is None else built.work.as_dict(),
        "timings": timings,
        "diagnostics": [d.as_dict(relative_to=cwd) for d in diagnostics],
    }
