"""The markup handed to WeasyPrint and packed into the ePub, for a small book, in this
process: the ids docs/manuscript.md and presswork.ids promise, notes where they are called,
links within a unit, across units and across ePub documents, widows raised, running
heads, page markers and the page-list."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree, html

from presswork.model import Book, PageStart
from presswork.render import html as pdf_html
from presswork.render.html import PARAGRAPH_END
from presswork.render.xhtml import epub_markup
from presswork.transforms.page_breaks import with_page_breaks

from conftest import NS, resolved, write_book

ALPHA = """---
id: alpha
running_head: Alpha
---
# Alpha Entry

::: summary
The summary.
:::

First paragraph with a note.[^one] See [beta's part](beta.md#part) and [here](#local).

## Local section {#local}

Again the first note.[^one] And a second.[^two]

[^one]: The first note, with [a link](https://example.org).
[^two]: The second note.
"""
BETA = """# Beta Entry

## Part {#part}

Beta's only paragraph.
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("small")
    write_book(
        root,
        {"alpha.md": ALPHA, "beta.md": BETA},
        "title: Small Book\nlanguage: en-GB\npublisher: A Publisher\n"
        "notices:\n  - A notice.\nchapters:\n  - alpha.md\n  - beta.md\n",
    )
    return resolved(root)


def parsed(markup: str) -> html.HtmlElement:
    return html.fromstring(markup.encode("utf-8"))


def ids(tree: html.HtmlElement) -> list[str]:
    return [str(e.get("id")) for e in tree.iter() if e.get("id")]


# The PDF's HTML ----------------------------------------------------------------------


def test_a_chapter_unit_names_every_element_with_its_chapter(book: Book) -> None:
    alpha = book.chapters[0]
    tree = parsed(pdf_html.chapter_html(book, alpha))
    found = ids(tree)
    # The chapter, its headings as typed, presswork's own ids starting with "_".
    assert found[0] == "alpha"
    assert "alpha--local" in found
    assert [i for i in found if "--_p" in i] == ["alpha--_p1", "alpha--_p2", "alpha--_p3"]
    assert len(found) == len(set(found))
    # A note's body follows its first call only; the second call is a link to it.
    calls = tree.xpath("//a[@class='noteref']")
    assert [(a.get("id"), a.get("href"), a.text) for a in calls] == [
        ("alpha--_noteref-1", "#alpha--_note-1", "1"),
        ("alpha--_noteref-1-2", "#alpha--_note-1", "1"),
        ("alpha--_noteref-2", "#alpha--_note-2", "2"),
    ]
    bodies = tree.xpath("//span[@class='footnote']")
    assert [b.get("id") for b in bodies] == ["alpha--_note-1", "alpha--_note-2"]
    assert bodies[0].text_content().startswith("The first note")
    assert bodies[0].getprevious() is calls[0]
    # Laid out alone, the chapter carries no running heads: its section is bare.
    (section,) = tree.xpath("//section[contains(@class, 'chapter')]")
    assert "bare" in section.get("class").split()


def test_links_inside_a_unit_are_fragments_and_across_units_cross_references(
    book: Book,
) -> None:
    tree = parsed(pdf_html.chapter_html(book, book.chapters[0]))
    hrefs = {a.text_content(): a.get("href") for a in tree.xpath("//a[not(@class='noteref')]")}
    assert hrefs["here"] == "#alpha--local"
    assert hrefs["beta’s part"] == "presswork-xref:beta--part"  # the apostrophe as set
    assert hrefs["a link"] == "https://example.org"
    # In the whole book as one document, the same link is a fragment.
    whole = parsed(pdf_html.book_html(book))
    assert whole.xpath('//a[.="beta’s part"]/@href') == ["#beta--part"]


def test_a_raised_widows_setting_is_a_class_of_the_paragraph(book: Book) -> None:
    raised = pdf_html.Refinements(widows={"alpha--_p2": 4})
    tree = parsed(pdf_html.chapter_html(book, book.chapters[0], raised))
    assert tree.xpath("//p[@id='alpha--_p2']/@class") == ["widows-4"]
    assert tree.xpath("//p[@id='alpha--_p1']/@class") == []


def test_the_front_matter_lists_each_chapter_and_section_with_its_folio(book: Book) -> None:
    folios = {"alpha": "5", "alpha--local": "6", "beta": "7", "beta--part": "7"}
    tree = parsed(pdf_html.front_html(book, folios))
    assert ids(tree)[:4] == ["_title-page", "_imprint", "_contents", "_contents-title"]
    pages = tree.xpath("//span[@class='toc-page']")
    assert [(p.get("data-href"), p.get("data-page")) for p in pages] == [
        ("presswork-xref:alpha", "5"),
        ("presswork-xref:alpha--local", "6"),
        ("presswork-xref:beta", "7"),
        ("presswork-xref:beta--part", "7"),
    ]


def test_the_furniture_has_one_page_per_chapter_page_numbered_from_the_first(
    book: Book,
) -> None:
    tree = parsed(pdf_html.furniture_html(book, 4, (3, 2)))
    chapters = tree.xpath("//section[@class='furniture-chapter']")
    assert [len(c) for c in chapters] == [3, 2]  # the opening and the pages after it
    assert chapters[0][0].get("data-running-head") == "Alpha"
    assert chapters[1][0].get("data-running-head") == "Beta Entry"
    assert "counter-reset: page 4" in tree.xpath("//style/text()")[0]
    assert tree.get("style") == "break-before: left"  # page 4 is a left-hand page
    assert parsed(pdf_html.furniture_html(book, 5, (1, 1))).get("style") is None


# The ePub's XHTML -------------------------------------------------------------------


def xhtml(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode("utf-8"))


def test_the_epub_documents_come_in_reading_order(book: Book) -> None:
    documents = epub_markup(book).documents
    assert [d.name for d in documents] == [
        "front/cover.xhtml",
        "front/titlepage.xhtml",
        "front/imprint.xhtml",
        "nav.xhtml",
        "text/alpha.xhtml",
        "text/beta.xhtml",
    ]
    assert [d.properties for d in documents if d.properties] == [("nav",)]
    for document in documents:
        assert xhtml(document.content).get("{http://www.w3.org/XML/1998/namespace}lang") == (
            "en-GB"
        )


def test_a_chapter_document_has_its_own_ids_and_popup_notes(book: Book) -> None:
    alpha = next(d for d in epub_markup(book).documents if d.name == "text/alpha.xhtml")
    tree = xhtml(alpha.content)
    found = [str(e.get("id")) for e in tree.iter() if e.get("id")]
    assert "local" in found and "_p1" in found and "_note-1" in found
    assert not [i for i in found if "alpha" in i]  # no chapter prefix in its own file
    calls = tree.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert [(a.get("id"), a.get("href")) for a in calls] == [
        ("_noteref-1", "#_note-1"),
        ("_noteref-1-2", "#_note-1"),
        ("_noteref-2", "#_note-2"),
    ]
    notes = tree.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert [n.get("id") for n in notes] == ["_note-1", "_note-2"]
    backlinks = tree.xpath("//x:a[@role='doc-backlink']/@href", namespaces=NS)
    assert backlinks == ["#_noteref-1", "#_noteref-2"]
    hrefs = {a.xpath("string()"): a.get("href") for a in tree.xpath("//x:a", namespaces=NS)}
    assert hrefs["beta’s part"] == "beta.xhtml#part"
    assert hrefs["here"] == "alpha.xhtml#local"


def test_page_breaks_become_markers_and_the_page_list(book: Book) -> None:
    starts = (
        PageStart("1", "_title-page", 0),
        PageStart("3", "_contents", 0),
        PageStart("4", "alpha", 0),
        PageStart("5", "alpha--_p2", 1),
        PageStart("6", "beta--part", 0),
    )
    markup = epub_markup(with_page_breaks(book, starts))
    assert [(p.label, p.href) for p in markup.pages] == [
        ("1", "front/titlepage.xhtml#_page-1"),
        ("3", "nav.xhtml#_page-3"),
        ("4", "text/alpha.xhtml#_page-4"),
        ("5", "text/alpha.xhtml#_page-5"),
        ("6", "text/beta.xhtml#_page-6"),
    ]
    alpha = xhtml(next(d for d in markup.documents if d.name == "text/alpha.xhtml").content)
    markers = alpha.xpath("//x:span[@epub:type='pagebreak']", namespaces=NS)
    assert [(m.get("id"), m.get("aria-label")) for m in markers] == [
        ("_page-4", "4"),
        ("_page-5", "5"),
    ]
    # Page 5 begins after one word of alpha's second paragraph (the summary's is the
    # first): the marker stands before its second word.
    second = alpha.xpath("//x:p[@id='_p2']", namespaces=NS)[0]
    text = etree.tostring(second, method="text", encoding="unicode")
    assert text.startswith("First paragraph")
    assert markers[1].getparent() is second
    assert (markers[1].tail or "").startswith("paragraph")
    # Without page starts the book has no page-list at all.
    assert epub_markup(replace(book, front_pages={})).pages == ()


# Ties: a paragraph's last two words --------------------------------------------------

_LAST_TWO = re.compile(r"(\S+[ \t]+)?\S+\s*$")


@given(st.text(alphabet="ab. \t\n\u00a0\u2003", max_size=60))
def test_the_last_two_words_are_found_as_the_expression_finds_them(text: str) -> None:
    """The tie's words, read from the end, are those of the expression: the last word,
    and the one before where only spaces or tabs stand between them."""
    match = _LAST_TWO.search(text)
    expected = None if match is None else (match.start(), match.group(1) or "")
    assert pdf_html._last_two(text) == expected


def test_a_tie_after_a_link_is_a_span_with_the_space_outside(tmp_path: Path) -> None:
    """Where a paragraph ends in a link, its last words and the link are one span; the
    space before it is outside the unbreakable span, where the line may break. Plain
    text ends in no span: a no-break space ties it."""
    root = write_book(
        tmp_path / "ties",
        {"t.md": "# T\n\nOne ends on the country.\n\nOne ends on [a link](https://example.org).\n"},
    )
    book = resolved(root)
    plain, linked = parsed(pdf_html.chapter_html(book, book.chapters[0])).xpath("//p")
    assert not plain.xpath(".//span")
    (tie,) = linked.xpath("span[@class='tie']")
    (unbroken,) = tie.xpath("span[@class='unbroken']")
    assert tie.text == " " and unbroken.text_content() == "a link."
    before = linked.text or ""
    assert before and not before[-1].isspace()  # the line may break at the tie's space


@pytest.mark.parametrize(
    ("ending", "tied"),
    [
        ("to distant countries.", "distant\u00a0countries.\u2060"),
        ("without breaks or days off.", "days\u00a0off.\u2060"),
        ("in (see) 2023.", "(see)\u00a02023.\u2060"),
        ("the country.", "the\u00a0country.\u2060"),
        # 22 and 24 characters, more than production.toml's tie_characters: not tied,
        # but the last word, ended by the mark, is kept whole by the layout
        ("South Korean-style language.", "Korean-\u2060style language.\u2060"),
        ("international community.", "international community.\u2060"),
    ],
)
def test_a_paragraph_ends_in_its_last_two_words_tied_and_marked(
    tmp_path: Path, ending: str, tied: str
) -> None:
    """The last two words are tied by a no-break space where together they are short
    enough, and the paragraph's text ends with the mark that tells the layout to keep
    that last run of text whole (tests/layout/test_line_breaks.py lays it out)."""
    assert PARAGRAPH_END == "\u2060"
    root = write_book(tmp_path / "nbsp", {"t.md": f"# T\n\nA paragraph that ends {ending}\n"})
    book = resolved(root)
    (p,) = parsed(pdf_html.chapter_html(book, book.chapters[0])).xpath("//p")
    assert not p.xpath(".//span")
    assert p.text_content().endswith(" " + tied)
    assert p.text_content().count("\u00a0") == ("\u00a0" in tied)


def test_compiled_templates_are_kept_in_the_users_cache_folder_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja runs the compiled templates it finds: they are kept in a folder of the
    user's cache that no one else may write, or not at all."""
    from presswork.render import markup

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept = markup._compiled_templates()
    folder = tmp_path / "presswork" / "templates"
    assert kept is not None and Path(kept.directory) == folder
    assert folder.stat().st_mode & 0o077 == 0
    folder.chmod(0o777)
    assert markup._compiled_templates() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not a cache folder, by the spec
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    kept = markup._compiled_templates()
    assert kept is not None and Path(kept.directory) == tmp_path / "home/.cache/presswork/templates"


def test_a_chapters_key_changes_exactly_when_its_html_does(
    book: Book, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A chapter is laid out again when its key changes, so the key must change with
    anything that changes the chapter's HTML, and should not change otherwise."""
    alpha, beta = book.chapters

    def key_and_html(changed: Book, chapter: int = 0) -> tuple[str, str]:
        one = changed.chapters[chapter]
        return pdf_html.chapter_key(changed, one), pdf_html.chapter_html(changed, one)

    key, markup = key_and_html(book)
    moved = tmp_path_factory.mktemp("moved")
    write_book(moved, {"alpha.md": ALPHA, "beta.md": BETA}, (book.root / "book.yaml").read_text())
    same = (
        resolved(moved),  # another folder
        replace(
            book,
            metadata=replace(book.metadata, modified=book.metadata.modified.replace(year=1999)),
        ),
        replace(book, chapters=(alpha,), notices=()),  # the other chapters and notices
    )
    for other in same:
        assert key_and_html(other) == (key, markup)
    changed = (
        replace(book, chapters=(replace(alpha, running_head="Other"), beta)),
        replace(book, metadata=replace(book.metadata, title="Another Title")),
        replace(book, metadata=replace(book.metadata, language="fr")),
    )
    for other in changed:
        other_key, other_markup = key_and_html(other)
        assert other_markup != markup and other_key != key
    assert key_and_html(book, 1)[0] != key
