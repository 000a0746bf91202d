"""A chapter's front matter: the YAML between its first two ``---`` lines.

In: a chapter file's path and text. Out: its front matter's keys, each with its value and
line, and the Markdown after it, padded with blank lines so that its line numbers are the
file's; an unknown key is named by :data:`KEYS`. A front matter that is never closed is a
:class:`~presswork.errors.ManuscriptError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from presswork.config.safe_yaml import load_mapping
from presswork.errors import ManuscriptError, diagnostic

KEYS = {
    "id": "chapter id, used in links and file names",
    "running_head": "short title for running heads",
}
_OPEN = "---"
_CLOSE = ("---", "...")


@dataclass(frozen=True)
class ChapterText:
    """A chapter file's front matter (key: value and line) and the text after it, which
    begins on line ``body_line``."""

    path: Path
    front: dict[str, tuple[object, int]]
    body: str
    body_line: int


def closing_line(lines: list[str]) -> int | None:
    """The index of the line that closes the front matter opening ``lines``; ``None``
    when there is no front matter; ``len(lines)`` when it is never closed."""
    if not lines or lines[0].rstrip() != _OPEN:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSE:
            return index
    return len(lines)


def split_front_matter(path: Path, text: str) -> ChapterText:
    lines = text.split("\n")
    close = closing_line(lines)
    if close is None:
        return ChapterText(path, {}, text, 1)
    if close == len(lines):
        raise ManuscriptError(diagnostic("PW101", "front matter is not closed with '---'", path, 1))
    mapping = load_mapping("\n".join(lines[1:close]), path, line_offset=1)
    front = {k: (v.value, v.line) for k, v in mapping.entries.items()}
    # Blank lines keep the body's line numbers equal to the file's.
    body = "\n" * (close + 1) + "\n".join(lines[close + 1 :])
    return ChapterText(path, front, body, close + 2)
