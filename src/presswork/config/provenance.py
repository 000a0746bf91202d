"""Where a build's date and identifier come from, so that a rebuild gives the same bytes.

In: the manuscript folder and its configuration. Out: the date stamped into the editions,
the git commit the manuscript comes from (and whether it has uncommitted changes), and
the book's identifier. The date is, in order of preference:

1. ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention);
2. the date of the newest git commit that touched the manuscript folder;
3. the modification time of the newest file in the manuscript.

The clock is never read. The identifier is the one ``book.yaml`` gives, else a UUID
derived from the slug, title and language, so it stays the same from build to build.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from presswork.config.manifest import BookConfig
from presswork.errors import ManuscriptError, diagnostic

# Fixed for ever: changing it would change the identifier of every book built before.
IDENTIFIER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "presswork:book")


def book_identifier(config: BookConfig) -> str:
    if config.identifier:
        return config.identifier
    name = f"{config.slug}\n{config.title}\n{config.language}"
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"


def edition_identifier(book: str, edition: str) -> str:
    """A stable identifier for one edition of the book (the print edition, say), derived
    from the book's own identifier."""
    name = f"{book}\n{edition}"
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"


@dataclass(frozen=True)
class Provenance:
    """Where a build comes from: its date and how it was found, and the git commit of
    the manuscript (``None`` outside git; ``dirty`` when it has uncommitted changes)."""

    date: datetime
    date_from: str
    commit: str | None
    dirty: bool


def provenance(config: BookConfig) -> Provenance:
    commit, dirty = _git_state(config.root)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if not epoch.strip().isdigit():
            raise ManuscriptError(
                diagnostic(
                    "PW109", f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}"
                )
            )
        return Provenance(
            datetime.fromtimestamp(int(epoch), UTC), "SOURCE_DATE_EPOCH", commit, dirty
        )
    committed = _git(config.root, "log", "-1", "--format=%ct", "--", ".")
    if committed is not None and committed.isdigit():
        return Provenance(datetime.fromtimestamp(int(committed), UTC), "git commit", commit, dirty)
    files = [config.manifest, *(entry.path for entry in config.chapters)]
    newest = max(int(path.stat().st_mtime) for path in files)
    return Provenance(datetime.fromtimestamp(newest, UTC), "file modification time", commit, dirty)


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
