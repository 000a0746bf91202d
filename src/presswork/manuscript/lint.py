"""The rules that look at a manuscript's text as typed, beside what reading it finds.

In: the validated manifest, the chapters as read, the styles folder and a
:class:`~presswork.errors.Report`. Out: in the report, the characters no shipped typeface
can draw (PW701), words too long for any line (PW704), notes the PDF continues after
their chapter (PW705), and the Markdown files no chapter list names (PW108). Which
characters the typefaces cover is slow to learn and kept in the cache (kind
``coverage``) while the font files are the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
from contextlib import suppress
from functools import cache
from pathlib import Path

import fontTools

from presswork.cache import digest
from presswork.config import front_matter
from presswork.config.chapter_files import markdown_files
from presswork.config.manifest import BookConfig
from presswork.errors import Report, diagnostic
from presswork.manuscript.memo import Memo
from presswork.model import (
    Chapter,
    Heading,
    Paragraph,
    note_characters,
    plain_text,
    walk_block_tree,
)
from presswork.styles import font_files, production, styles_dir

COVERAGE = "coverage"  # the cache's kind
# What is not prose on a line: code spans, link destinations, heading ids, note labels.
# A line of the body holds about 70 characters, of a note about 100; a longer word runs
# into the margin. WeasyPrint's cost of setting a word grows with the square of its
# length (it lays the rest of the word out again at each place it might break it): a
# word of 5,000 letters took 40 s, one of 2 MB more memory than the machine had.
MAX_WORD = 200
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")


def long_words(chapters: tuple[Chapter, ...], report: Report) -> None:
    """Words (text without a space, through emphasis and links) no line can hold."""
    for chapter in chapters:
        blocks = (*chapter.blocks, *(b for note in chapter.notes for b in note.children))
        for block in walk_block_tree(blocks):
            if not isinstance(block, Paragraph | Heading):
                continue
            found = _LONG_WORD.search(plain_text(block.children))
            if found is not None:
                report.add(
                    diagnostic(
                        "PW704",
                        f"a word of {len(found.group())} characters without a space "
                        f"(“{found.group()[:30]}…”): a line holds about 70, and presswork "
                        f"sets at most {MAX_WORD}",
                        block.source.path,
                        block.source.line,
                    )
                )


def long_notes(chapters: tuple[Chapter, ...], report: Report) -> None:
    """Notes longer than one page's notes area holds, which the PDF continues after the
    chapter's last paragraph (:mod:`presswork.transforms.long_notes`): a note of that
    length is better as a paragraph of the text, or an appendix."""
    limits = production(styles_dir())
    for chapter in chapters:
        for note in chapter.notes:
            length = note_characters(note)
            if length > limits.continued_over:
                report.add(
                    diagnostic(
                        "PW705",
                        f"note [^{note.label}] has {length:,} characters: more than the "
                        f"{limits.continued_over:,} one page's notes area holds with room "
                        f"to spare, so the PDF sets its first {limits.continued_lead:,} or "
                        "so at the foot of the page and the rest after the chapter's last "
                        "paragraph",
                        note.source.path,
                        note.source.line,
                        note.source.col,
                    )
                )


def unlisted(config: BookConfig, report: Report) -> None:
    listed = {entry.path for entry in config.chapters}
    for path in markdown_files(config.root):
        if path.resolve() in listed:
            continue
        relative = path.relative_to(config.root)
        report.add(diagnostic("PW108", f"{relative} is not listed in book.yaml's chapters", path))


def shipped_characters(styles: Path, memo: Memo | None = None) -> frozenset[int]:
    """Every code point some shipped typeface can draw. Reading the fonts' character maps
    takes a tenth of a second; with ``memo``, the answer is kept, under a digest of the
    font files, and read back while they are the same."""
    if memo is None:
        return _coverage(styles)
    fonts = font_files(styles)
    names = [str(font_file.relative_to(styles)) for font_file in fonts]
    key = digest(f"fontTools {fontTools.version}", *names, files=fonts)
    kept = memo.read(COVERAGE, key)
    if kept is not None:
        with suppress(ValueError, TypeError):
            return frozenset(int(c) for c in json.loads(kept.decode("utf-8")))
    covered = _coverage(styles)
    memo.keep(COVERAGE, key, json.dumps(sorted(covered)).encode())
    return covered


@cache
def _coverage(styles: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # loaded only when the coverage is not in the cache

    covered: set[int] = set()
    for font_file in font_files(styles):
        with TTFont(font_file, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def text_rules(
    path: Path, text: str | None, report: Report, covered: frozenset[int], prose_only: bool
) -> None:
    """Characters no shipped typeface can draw in ``text``, the text of ``path`` (``None``
    where it could not be read, which was reported then). Straight quotes and dashes are
    the reader's (:mod:`presswork.manuscript.typography`)."""
    if text is None:
        return
    # Most files have nothing to report: find that out for the whole file at once.
    missing = {c for c in set(text) if ord(c) >= 0x20 and ord(c) not in covered}
    if not missing:
        return
    lines = text.split("\n")
    skip = _front_matter_lines(lines) if prose_only else set()
    for number, line in enumerate(lines, start=1):
        if number in skip:
            continue
        if prose_only and line.lstrip().startswith(("```", "~~~")):
            continue
        if not prose_only and line.lstrip().startswith("#"):
            continue  # a YAML comment
        uncovered = {c for c in missing if c in line}
        for col, char in enumerate(line if uncovered else "", start=1):
            if char in uncovered:
                name = unicodedata.name(char, "unnamed character")
                report.add(
                    diagnostic(
                        "PW701",
                        f"U+{ord(char):04X} {name} is in no shipped "
                        "typeface: it would print as an empty box",
                        path,
                        number,
                        col,
                    )
                )


def _front_matter_lines(lines: list[str]) -> set[int]:
    close = front_matter.closing_line(lines)
    if close is None:
        return set()
    return set(range(1, min(close + 2, len(lines) + 1)))
