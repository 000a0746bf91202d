"""Where the PDF's lines break around the words presswork keeps whole: a paragraph's
last two words, tied by a span or by a no-break space, and a word kept whole
mid-paragraph. Each paragraph is laid out
in this process with the book's stylesheet at many widths, so that the tie falls at
the end of a line at some of them, and read back through pdftotext."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from presswork.layout import engine
from presswork.model import Book
from presswork.render.html import Refinements, chapter_html
from presswork.styles import production, styles_dir

from conftest import resolved, write_book

ENDING = "It monitored and controlled communication channels information flows both in and out"
CHAPTER = (
    "# Ties\n\n"
    f"{ENDING} of the country.\n\n"  # the last two words tied
    f"{ENDING} of\nthe country.\n\n"  # the space before them a line break of the source
    f"{ENDING} of the country, see [the entry](https://example.org).\n\n"  # a link tied
    f"{ENDING} of the country and beyond it, all the time.\n\n"  # a word kept whole
    f"{ENDING} of the distant countries.\n"  # tied by a no-break space
)
FINAL_WORDS = {0: "country.", 1: "country.", 2: "entry.", 4: "countries."}
WIDTHS_MM = [100 + step * 0.5 for step in range(200)]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("ties")
    write_book(root, {"ties.md": CHAPTER})
    return resolved(root)


_PARAGRAPH = re.compile(r'<p id="([^"]*)"[^>]*>.*?</p>', re.S)


def paragraphs_at_widths(
    book: Book, tmp_path: Path, index: int, whole: frozenset[int] = frozenset()
) -> list[list[str]]:
    """Paragraph ``index`` of the chapter, with the words numbered ``whole`` kept whole,
    laid out at each of :data:`WIDTHS_MM`: the words of each of its lines."""
    (chapter,) = book.chapters
    paragraph_id = _PARAGRAPH.findall(chapter_html(book, chapter))[index]
    markup = chapter_html(book, chapter, Refinements(whole={paragraph_id: whole}))
    paragraph = [m.group(0) for m in _PARAGRAPH.finditer(markup)][index]
    copies = "".join(
        re.sub(r"^<p id=\"[^\"]*\"", f'<p style="width: {width}mm; text-indent: 0"', paragraph)
        for width in WIDTHS_MM
    )
    start, end = re.search(r"<section[^>]*>.*</section>", markup, re.S).span()  # type: ignore[union-attr]
    document = markup[:start] + f"<section>{copies}</section>" + markup[end:]
    layout = engine.layout_of(document, book.root, styles_dir())
    pdf = tmp_path / "widths.pdf"
    layout.document.write_pdf(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", "-nopgbrk", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: list[list[str]] = []
    for line in text.splitlines():
        words = line.split()
        if words[:2] == ["It", "monitored"] or (words[:1] == ["It"] and len(words) == 1):
            found.append([])
        if words and found and not line.strip().isdigit():
            found[-1].append(" ".join(words))
    return found


@pytest.mark.parametrize("index", sorted(FINAL_WORDS))
def test_the_line_before_a_tied_ending_is_full(book: Book, tmp_path: Path, index: int) -> None:
    """WeasyPrint 70, where a text ends in a space before an inline element, can break
    after a line's first word: the tie's space is outside its unbreakable span. At every
    width the last line holds two words at least, the last of them whole."""
    found = paragraphs_at_widths(book, tmp_path, index)
    assert len(found) == len(WIDTHS_MM)
    for width, lines in zip(WIDTHS_MM, found, strict=True):
        if len(lines) > 1:
            assert len(lines[0].split()) >= 5, (width, lines)
            assert len(lines[-1].split()) >= 2, (width, lines)
            assert lines[-1].split()[-1] == FINAL_WORDS[index], (width, lines)


def test_a_word_kept_whole_mid_paragraph_does_not_break_the_line_early(
    book: Book, tmp_path: Path
) -> None:
    found = paragraphs_at_widths(book, tmp_path, 3, frozenset({14}))  # "country" (from 0)
    assert len(found) == len(WIDTHS_MM)
    for width, lines in zip(WIDTHS_MM, found, strict=True):
        if len(lines) > 1:
            assert len(lines[0].split()) >= 5, (width, lines)
        assert not re.search(r"\bcoun[-\u2010]$", "\n".join(lines), re.M), (width, lines)


def test_no_more_than_two_hyphenated_lines_run_in_a_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint, taught hyphenate-limit-lines (presswork.layout.hyphenation), sets no
    third hyphenated line running in its first layout; taught nothing, it does, on the
    same paragraphs: the North Korea entry's, at narrow widths that hyphenate often."""
    from contextlib import nullcontext

    from presswork.layout.pages import hyphenated_lines

    from conftest import MANUSCRIPT

    book = resolved(MANUSCRIPT)
    (chapter,) = book.chapters
    markup = chapter_html(book, chapter)
    paragraphs = "".join(m.group(0) for m in _PARAGRAPH.finditer(markup))
    start, end = re.search(r"<section[^>]*>.*</section>", markup, re.S).span()  # type: ignore[union-attr]
    narrow = "".join(
        f'<div style="width: {width}mm">{paragraphs}</div>' for width in (55, 62, 70, 77)
    )
    document = markup[:start] + f"<section>{narrow}</section>" + markup[end:]
    limit = production(styles_dir()).hyphens_in_a_row

    def longest_run() -> int:
        layout = engine.layout_of(document, book.root, styles_dir())
        return max(line.in_a_row for line in hyphenated_lines(layout.document))

    assert longest_run() <= limit
    monkeypatch.setattr(engine, "hyphens_in_a_row", lambda limit: nullcontext())
    assert longest_run() > limit
