"""What presswork reads off WeasyPrint's pages, for a small chapter laid out in this
process: where each page begins (element and word, checked against the text pypdf
extracts from the same pages), where each page's text area sits, and the notes kept on
their call's page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from presswork.layout import engine
from presswork.layout.pages import LINE_END_HYPHENS, Layout, count_words
from presswork.lengths import MM
from presswork.model import Book
from presswork.render.html import chapter_html
from presswork.styles import styles_dir

from conftest import resolved, write_book

SENTENCE = (
    "Reports of the widespread use of forced labour continued in every province, and "
    "state institutions relied on the mobilization of men and women. "
)
CHAPTER = (
    "# Long\n\n"
    + "\n\n".join(f"Paragraph {n}. " + SENTENCE * 10 for n in range(1, 9))
    + "\n\n## Later {#later}\n\nA note is called here.[^n]\n\n[^n]: The note.\n"
)


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Book, Layout]:
    root = write_book(tmp_path_factory.mktemp("long"), {"long.md": CHAPTER})
    book = resolved(root)
    chapter = book.chapters[0]
    layout = engine.layout_refined(
        lambda asked: chapter_html(book, chapter, asked), root, styles_dir()
    )
    return book, layout


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ([], 0),
        (["one two three"], 3),
        (["one two thr" + LINE_END_HYPHENS[0]], 2),  # the broken word is not yet set
        (["one two thr" + LINE_END_HYPHENS[0], "ee four five"], 5),
        (["well-", "known words"], 2),  # a hyphen of the text joins the lines
        (["one", "two"], 2),
    ],
)
def test_words_are_counted_as_set_a_broken_one_as_not_yet(lines: list[str], words: int) -> None:
    assert count_words(lines) == words


def page_texts(layout: Layout) -> list[str]:
    written, _ = engine.write_pdf(layout, "urn:test", datetime(2000, 1, 1, tzinfo=UTC))
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(written)).pages]


def test_each_page_begins_where_its_text_begins(laid_out: tuple[Book, Layout]) -> None:
    _, layout = laid_out
    starts = layout.page_starts()
    texts = page_texts(layout)
    assert layout.page_count >= 3
    assert [s.folio for s in starts] == [str(n) for n in range(1, layout.page_count + 1)]
    assert starts[0].anchor == "long" and starts[0].words == 0
    assert any(s.words for s in starts)  # pages that begin inside a paragraph
    for start, text in zip(starts[1:], texts[1:], strict=True):
        number = re.fullmatch(r"long--_p(\d+)", start.anchor)
        assert number, start
        paragraph = f"Paragraph {number[1]}. " + SENTENCE * 10
        words = paragraph.split()
        # The page's text, as pypdf extracts it, goes on with the paragraph's words
        # from the one the page turn broke, or the first not set before.
        first_line = text.strip().split("\n")[0].replace(LINE_END_HYPHENS[0], "").split()
        resumed = words[start.words :]
        assert resumed, start
        assert resumed[0].startswith(first_line[0]) or resumed[0].endswith(first_line[0]), (
            start,
            first_line[:3],
        )


def test_left_and_right_pages_set_their_text_area_by_their_margins(
    laid_out: tuple[Book, Layout],
) -> None:
    _, layout = laid_out
    x = layout.text_x()
    assert len(x) == layout.page_count
    # pdf.css: inner margins of 22 mm on a right-hand page, 20 mm on a left-hand one;
    # the chapter begins on a right-hand page.
    assert x[0] == pytest.approx(22 * MM, abs=0.01)
    assert x[1] == pytest.approx(20 * MM, abs=0.01)
    assert x[2] == pytest.approx(x[0])


def test_every_element_has_the_page_it_begins_on(laid_out: tuple[Book, Layout]) -> None:
    book, layout = laid_out
    pages = layout.anchor_pages()
    chapter = book.chapters[0]
    blocks = [f"long--_{b}" for b in chapter.block_ids()]
    assert all(b in pages for b in blocks)
    assert [pages[b] for b in blocks] == sorted(pages[b] for b in blocks)
    assert pages["long--later"] == layout.page_count - 1
    # The note and its call are on one page.
    assert pages["long--_note-1"] == pages["long--_noteref-1"]
    assert layout.displaced_notes() == []


def test_the_widows_a_note_may_raise_are_those_pdf_css_defines() -> None:
    css = (styles_dir() / "pdf.css").read_text(encoding="utf-8")
    defined = {int(n) for n in re.findall(r"\.widows-(\d+)\s*\{\s*widows:\s*\1\s*;", css)}
    assert engine.max_widows(css) == max(defined)
    assert engine.max_widows(".widows-9 { widows: 9; } .widows-12 { widows: 3; }") == 9
    assert engine.max_widows("p { widows: 2 }") == engine.DEFAULT_WIDOWS


def test_a_path_outside_the_folders_is_not_read(tmp_path: Path) -> None:
    from presswork.layout.fetch import LocalFetcher

    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "ok.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = LocalFetcher(inside)
    assert fetcher.fetch((inside / "ok.css").as_uri()) is not None
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / "secret.txt").as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/x.css")
    assert len(fetcher.refused) == 2
