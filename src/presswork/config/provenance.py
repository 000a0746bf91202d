"""Where a build's date and identifier come from, so that a rebuild gives the same bytes.

In: the manuscript folder and its configuration. Out: the date stamped into the editions,
the git commit the manuscript comes from (and whether it has uncommitted changes), and
the book's identifier. The date is, in order of preference:

1. ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention);
2. the date of the newest git commit that touched the manuscript folder;
3. the modification time of the newest file in the manuscript.

A date must lie between 1980 and 2107, the years a ZIP archive (the ePub) can record:
``SOURCE_DATE_EPOCH`` outside them, or written otherwise than in ASCII digits, is refused;
a commit or file dated outside them (a wrong clock) gives the nearest date it can, and
says so. The clock is never read. The identifier is the one ``book.yaml`` gives, else a UUID
derived from the slug, title and language, so it stays the same from build to build.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from presswork.config import isbn
from presswork.config.manifest import BookConfig
from presswork.errors import ManuscriptError, diagnostic

# The first and last moments a ZIP entry's date can hold (MS-DOS dates: 1980 + 7 bits).
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
LATEST = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)
_SECONDS = re.compile(r"[0-9]{1,12}")

# Fixed for ever: changing it would change the identifier of every book built before.
IDENTIFIER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "presswork:book")


def book_identifier(config: BookConfig) -> str:
    """The book's identifier (the ePub's): the one ``book.yaml`` gives, else the ePub's
    ISBN, else a UUID derived from the book's slug, title and language."""
    if config.identifier:
        return config.identifier
    typed = _isbn_of(config.isbns, "epub")
    if typed is not None:
        return f"urn:isbn:{isbn.digits(typed)}"
    name = f"{config.slug}\n{config.title}\n{config.language}"
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"


def edition_identifier(book: str, edition: str, isbns: tuple[tuple[str, str], ...] = ()) -> str:
    """A stable identifier for one edition of the book (the print edition, say): its own
    ISBN where it has one, else one derived from the book's own identifier."""
    typed = dict(isbns).get(edition)
    if typed is not None:
        return f"urn:isbn:{isbn.digits(typed)}"
    name = f"{book}\n{edition}"
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"


def _isbn_of(isbns: tuple[tuple[str, str], ...], edition: str) -> str | None:
    found = dict(isbns)
    return found.get(edition, found.get(""))


@dataclass(frozen=True)
class Provenance:
    """Where a build comes from: its date and how it was found, and the git commit of
    the manuscript (``None`` outside git; ``dirty`` when it has uncommitted changes)."""

    date: datetime
    date_from: str
    commit: str | None
    dirty: bool
    moved_from: int | None = None  # the commit's or file's seconds, when out of range


def provenance(config: BookConfig) -> Provenance:
    commit, dirty = _git_state(config.root)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        seconds = int(epoch) if _SECONDS.fullmatch(epoch.strip()) else None
        if seconds is None or not _moment(EARLIEST) <= seconds <= _moment(LATEST):
            raise ManuscriptError(
                diagnostic(
                    "PW109",
                    "SOURCE_DATE_EPOCH must be a whole number of seconds in ASCII digits, "
                    f"from {_moment(EARLIEST)} ({EARLIEST:%Y-%m-%d}) to {_moment(LATEST)} "
                    f"({LATEST:%Y-%m-%d}), the dates an ePub can record; not {epoch!r}",
                )
            )
        return Provenance(datetime.fromtimestamp(seconds, UTC), "SOURCE_DATE_EPOCH", commit, dirty)
    committed = _git(config.root, "log", "-1", "--format=%ct", "--", ".")
    if committed is not None and _SECONDS.fullmatch(committed):
        return _within(int(committed), "git commit", commit, dirty)
    files = [config.manifest, *(entry.path for entry in config.chapters)]
    newest = max(int(path.stat().st_mtime) for path in files)
    return _within(newest, "file modification time", commit, dirty)


def _moment(date: datetime) -> int:
    return int(date.timestamp())


def _within(seconds: int, found: str, commit: str | None, dirty: bool) -> Provenance:
    """The date of ``seconds``, moved to the nearest one an ePub can record."""
    kept = min(max(seconds, _moment(EARLIEST)), _moment(LATEST))
    date = datetime.fromtimestamp(kept, UTC)
    return Provenance(date, found, commit, dirty, None if kept == seconds else seconds)


def _git_state(root: Path) -> tuple[str | None, bool]:
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return None, False
    changes = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    return commit, bool(changes)


def _git(root: Path, *args: str) -> str | None:
    """What git prints, or ``None`` where there is no git or no repository."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None
