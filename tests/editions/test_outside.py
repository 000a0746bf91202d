"""The editions as the tools outside presswork find them: the independent PDF/UA
checker pdfua, Chromium's PDF engine (PDFium, through pypdfium2) clicking and searching,
poppler's pdftotext and pypdf copying the text, and calibre reading and converting the
ePub. Expected values come from the manuscript (manuscript_text) and the standards."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree
from pypdf import PdfReader

from presswork.pdf.trees import kids, name_tree

from conftest import NS, Built
from manuscript_text import read_book

WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture(params=["north_korea", "multi"])
def book(request: pytest.FixtureRequest) -> Built:
    built: Built = request.getfixturevalue(request.param)
    return built


def manuscript_words(built: Built) -> Counter[str]:
    """Every word of the manuscript's chapters: title, headings, paragraphs, notes."""
    assert built.source is not None
    words: Counter[str] = Counter()
    for chapter in read_book(built.source).chapters:
        parts = [chapter.title, *(h.text for h in chapter.headings), *chapter.paragraphs]
        parts += [note.text for note in chapter.notes.values()]
        for part in parts:
            words.update(WORD.findall(part))
    return words


# PDF/UA ------------------------------------------------------------------------------


def test_pdfua_finds_no_error_in_either_pdf(book: Built) -> None:
    import pdfua

    for pdf in (book.pdf, book.print_pdf):
        report = pdfua.validate(str(pdf))
        serious = [
            f"{f.rule_id}: {f.message}"
            for f in report.findings
            if f.severity in (pdfua.Severity.ERROR, pdfua.Severity.WARNING)
        ]
        assert serious == [], pdf.name


# Clicking and searching as Chromium does -----------------------------------------


def note_call_centres(pdf: Path) -> list[tuple[int, float, float]]:
    """(page, x, y) of the centre of every note call's number, as PDFium places the
    glyphs: the digits set at under two thirds of the text's size (pdf.css sets calls at
    6.5 pt in 10.5 pt text, and the notes' own numbers at 7 pt)."""
    document = pypdfium2.PdfDocument(str(pdf))
    centres = []
    for index in range(len(document)):
        text = document[index].get_textpage()
        chars = [
            (
                chr(pdfium_c.FPDFText_GetUnicode(text.raw, i)),
                pdfium_c.FPDFText_GetFontSize(text.raw, i),
            )
            for i in range(text.count_chars())
        ]
        sizes = [size for char, size in chars if char.isalpha()]
        if not sizes:
            continue
        body = Counter(round(size, 1) for size in sizes).most_common(1)[0][0]
        for i, (char, size) in enumerate(chars):
            if char.isdigit() and 0 < size < 0.65 * body:
                left, bottom, right, top = text.get_charbox(i)
                centres.append((index, (left + right) / 2, (bottom + top) / 2))
    return centres


def test_every_note_call_can_be_clicked(book: Built) -> None:
    """At the centre of each call's number, a click lands in a link to a note."""
    centres = note_call_centres(book.pdf)
    expected = sum(len(c.calls) for c in read_book(book.source).chapters)  # type: ignore[arg-type]
    assert len(centres) >= expected
    with pikepdf.open(book.pdf) as pdf:
        for page, x, y in centres:
            hits = [
                str(a.get("/Dest"))
                for a in pdf.pages[page].get("/Annots", [])
                if a.get("/Subtype") == "/Link"
                and min(float(a.Rect[0]), float(a.Rect[2]))
                <= x
                <= max(float(a.Rect[0]), float(a.Rect[2]))
                and min(float(a.Rect[1]), float(a.Rect[3]))
                <= y
                <= max(float(a.Rect[1]), float(a.Rect[3]))
            ]
            assert any(re.search(r"--_note-\d+$", hit) for hit in hits), (page + 1, x, y, hits)


def chromium_text(pdf: Path) -> str:
    """The PDF's text as Chromium's find bar searches it: PDFium's text, in which a line
    ending in a hyphen is marked U+FFFE, which Chromium ignores."""
    document = pypdfium2.PdfDocument(str(pdf))
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return "\n".join(pages).replace("\ufffe", "")


def extracted(pdf: Path, tool: str) -> str:
    if tool == "pdftotext":
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if tool == "pypdf":
        text = "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        return re.sub(r"-[ \t]*\n[ \t]*", "", text)  # a line ending in a hyphen goes on
    return chromium_text(pdf)


@pytest.mark.parametrize("tool", ["pdftotext", "pypdf", "chromium"])
def test_every_word_of_the_manuscript_comes_out_whole(book: Built, tool: str) -> None:
    """Each word is found as often as the manuscript has it (the PDF has more: the
    contents, running heads): none is lost in two pieces at a line's or page's end."""
    found = Counter(WORD.findall(extracted(book.pdf, tool)))
    wanted = manuscript_words(book)
    short = {word: (count, found[word]) for word, count in wanted.items() if found[word] < count}
    assert short == {}


# The structure a screen reader reads ------------------------------------------------


def chapter_sections(pdf: Any) -> list[Any]:
    document = kids(pdf.Root.StructTreeRoot)[0]
    sections = []
    for element in kids(document):
        if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Sect":
            first = next(k for k in kids(element) if isinstance(k, pikepdf.Dictionary))
            if first.get("/S") == "/H1":
                sections.append(element)
    return sections


def below(element: Any) -> list[Any]:
    found = []
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.S != "/Note":
            found.append(kid)
            found += below(kid)
    return found


def test_one_section_per_chapter_one_p_per_paragraph_headings_as_written(book: Built) -> None:
    chapters = read_book(book.source).chapters  # type: ignore[arg-type]
    with pikepdf.open(book.pdf) as pdf:
        sections = chapter_sections(pdf)
        assert len(sections) == len(chapters)
        for section, chapter, name in zip(
            sections, chapters, book.spine_documents[-len(chapters) :], strict=True
        ):
            elements = below(section)
            # The ePub sets each paragraph as a <p> (tight list items are not): the
            # PDF has one P for each, however many pages it runs over.
            epub_paragraphs = book.xhtml(name).xpath(
                "//x:section[@epub:type='chapter']//x:p[not(ancestor::x:aside)]", namespaces=NS
            )
            assert sum(1 for e in elements if e.S == "/P") == len(epub_paragraphs)
            levels = [int(str(e.S)[2:]) for e in elements if re.fullmatch(r"/H\d", str(e.S))]
            assert levels == [1] + [h.level for h in chapter.headings]


def test_every_paragraph_of_north_korea_is_one_p(north_korea: Built) -> None:
    """The entry has no list: each of its paragraphs, summary included, is a P."""
    (chapter,) = read_book(north_korea.source).chapters  # type: ignore[arg-type]
    with pikepdf.open(north_korea.pdf) as pdf:
        (section,) = chapter_sections(pdf)
        assert sum(1 for e in below(section) if e.S == "/P") == len(chapter.paragraphs)


@pytest.mark.parametrize("name", ["north_korea", "multi", "long_book"])
def test_no_word_broken_at_a_page_turn_and_no_paragraph_ending_on_a_fragment(
    name: str, request: pytest.FixtureRequest
) -> None:
    from presswork.release.typography import measure

    built: Built = request.getfixturevalue(name)
    counts = measure(built.pdf)
    assert counts.body_lines > 50 and counts.paragraphs > 10
    assert (counts.page_turn_hyphens, counts.fragment_endings, counts.hyphen_runs) == (0, 0, 0)
    assert counts.one_word_last_lines == 0 and counts.short_lines == 0


def test_the_title_page_lines_up_on_one_left_edge(north_korea: Built) -> None:
    """The title, and the publisher below it, start at the same left edge (the body's
    paragraph indent once pushed the publisher 5 mm in)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(north_korea.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lefts = {
        word: float(x)
        for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)
        if word in ("North", "Amnesty")
    }
    assert set(lefts) == {"North", "Amnesty"}
    assert abs(lefts["North"] - lefts["Amnesty"]) < 2.0, lefts  # points; 5 mm is 14


def test_links_say_where_they_lead(north_korea: Built) -> None:
    """A screen reader announces a link's description: the note's number, or the
    section's title and the page it is on, as the contents print them."""
    (chapter,) = read_book(north_korea.source).chapters  # type: ignore[arg-type]
    with pikepdf.open(north_korea.pdf) as pdf:
        folios = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        dests = {str(k): v for k, v in name_tree(pdf.Root.Names.Dests)}
        said = []
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                dest = str(annotation.get("/Dest", ""))
                target = folios[dests[dest][0].objgen] if dest in dests else None
                said.append((str(annotation.Contents), target))
    titles = [chapter.title, *(h.text for h in chapter.sections())]
    contents = [(text, page) for text, page in said if not text.startswith("Note")]
    assert [text.rsplit(", page ", 1)[0] for text, _ in contents] == titles
    assert all(text.endswith(f", page {page}") for text, page in contents)
    notes = [text for text, _ in said if text.startswith("Note")]
    assert notes == [f"Note {n}" for n in chapter.note_numbers()]


def test_no_two_fonts_share_a_name(book: Built) -> None:
    with pikepdf.open(book.pdf) as pdf:
        names: dict[str, set[tuple[int, int]]] = {}
        for obj in pdf.objects:
            is_font = isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
            if is_font and "/DescendantFonts" in obj:
                names.setdefault(str(obj.BaseFont), set()).add(obj.objgen)
    assert names and all(len(fonts) == 1 for fonts in names.values()), names


# The ePub as calibre and older reading systems read it ------------------------------


def test_the_ncx_agrees_with_the_navigation(north_korea: Built) -> None:
    ncx = north_korea.xhtml("EPUB/toc.ncx")
    meta = {m.get("name"): m.get("content") for m in ncx.iterfind(".//{*}head/{*}meta")}
    (chapter,) = read_book(north_korea.source).chapters  # type: ignore[arg-type]
    assert meta["dtb:depth"] == "2"  # chapters and their sections
    pages = len(PdfReader(north_korea.pdf).pages)
    assert meta["dtb:totalPageCount"] == meta["dtb:maxPageNumber"] == str(pages)
    points = ncx.findall(".//{*}navPoint")
    targets = ncx.findall(".//{*}pageTarget")
    assert len(points) == 1 + len(chapter.sections())
    assert [t.get("value") for t in targets] == [str(n) for n in range(1, pages + 1)]
    orders = sorted(int(e.get("playOrder")) for e in [*points, *targets])
    assert orders == list(range(1, len(points) + len(targets) + 1))


def calibre(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"calibre's {tool} is not installed (scripts/setup --calibre installs it)")
    return found


def test_calibre_shows_the_author_and_the_date(north_korea: Built) -> None:
    shown = subprocess.run(
        [calibre("ebook-meta"), str(north_korea.epub)], capture_output=True, text=True, check=True
    ).stdout
    fields = dict(re.findall(r"^(\S[^:]*?)\s*:\s*(.*)$", shown, re.M))
    assert fields["Author(s)"] == "Amnesty International"  # the publisher, as in the PDF
    assert re.match(r"\d{4}-\d\d-\d\d", fields["Published"])


@pytest.mark.parametrize("through", ["txt", "mobi"])
def test_calibre_conversions_leave_the_hidden_navigation_out(
    north_korea: Built, tmp_path: Path, through: str
) -> None:
    converter = calibre("ebook-convert")
    target = tmp_path / f"book.{through}"
    subprocess.run([converter, str(north_korea.epub), str(target)], capture_output=True, check=True)
    if through != "txt":  # read the converted book back as text
        text_path = tmp_path / "book.txt"
        subprocess.run([converter, str(target), str(text_path)], capture_output=True, check=True)
        target = text_path
    text = target.read_text(encoding="utf-8", errors="replace")
    nav = etree.fromstring(north_korea.epub_files["EPUB/nav.xhtml"])
    # What only the hidden lists say: their headings and the landmark to the text.
    hidden = nav.xpath("//x:nav[@hidden]/x:h2/text()", namespaces=NS)
    hidden += nav.xpath(
        "//x:nav[@epub:type='landmarks']//x:a[@epub:type='bodymatter']/text()", namespaces=NS
    )
    assert sorted(hidden) == ["Landmarks", "Pages", "Start of text"]
    for label in hidden:
        assert not re.search(rf"^\s*{label}\s*$", text, re.M), label
    assert "Freedom of expression" in text  # the book's own text is there
