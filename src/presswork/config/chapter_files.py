"""The chapters ``book.yaml`` lists, found in the manuscript folder.

In: the manifest's ``chapters`` (the names as typed, and the line of each) and the
manuscript folder. Out: a :class:`ChapterEntry` for each chapter file; a name listed
twice, lying outside the folder or naming no file is reported at its line, the last with
the Markdown file of the folder closest to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from presswork.config.safe_yaml import YamlMapping
from presswork.errors import Report, diagnostic
from presswork.suggest import did_you_mean


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter as the manifest lists it: the file and the manifest line that names it."""

    path: Path
    line: int


def markdown_files(root: Path) -> list[Path]:
    """The Markdown files of the manuscript folder ``root``, sorted, those in hidden
    folders (``.git``, the cache) or hidden themselves left out."""
    return [
        path
        for path in sorted(root.rglob("*.md"))
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]


def _chapter_meant(name: str, root: Path, listed: set[Path]) -> str:
    """The ``did you mean`` for a chapter file that is not there: the closest Markdown
    file of the folder that no chapter names yet, else the closest of all."""
    files = {path.relative_to(root).as_posix(): path.resolve() for path in markdown_files(root)}
    unlisted = [typed for typed, path in files.items() if path not in listed]
    return did_you_mean(name, unlisted) or did_you_mean(name, files)


def chapter_files(
    mapping: YamlMapping, listed: list[str] | None, root: Path, report: Report
) -> tuple[ChapterEntry, ...]:
    """Resolve chapter paths; the line of each is that of its item. ``listed``: ``None``
    where the value was no list of paths (and said so)."""
    if "chapters" not in mapping.entries or listed is None:
        return ()
    line = mapping.entries["chapters"].line
    item_lines = mapping.entries["chapters"].item_lines
    if not listed:
        report.add(diagnostic("PW103", "'chapters' lists no chapter", mapping.path, line))
    named = {(root / name).resolve() for name in listed}
    seen: set[Path] = set()
    entries: list[ChapterEntry] = []
    for index, name in enumerate(listed):
        path = (root / name).resolve()
        at = item_lines[index] if index < len(item_lines) else line
        if not path.is_relative_to(root):
            report.add(
                diagnostic(
                    "PW106",
                    f"chapter '{name}' lies outside the manuscript folder",
                    mapping.path,
                    at,
                )
            )
        elif path in seen:
            report.add(diagnostic("PW105", f"chapter '{name}' is listed twice", mapping.path, at))
        elif not path.is_file():
            meant = _chapter_meant(name, root, named)
            report.add(
                diagnostic("PW106", f"chapter file '{name}' not found{meant}", mapping.path, at)
            )
        else:
            seen.add(path)
            entries.append(ChapterEntry(path, at))
    return tuple(entries)
