"""The screen and print PDFs, read back from the built files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import Destination

from conftest import BOOKS, MANUSCRIPT, Built, run_presswork, squash
from manuscript_text import Chapter, read_book

MM = 72 / 25.4
Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF units
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def book_chapters(built: Built) -> list[Chapter]:
    root = MANUSCRIPT if built.slug == "north-korea-2023" else BOOKS / "multi"
    return list(read_book(root).chapters)


@pytest.fixture(params=["north_korea", "multi"])
def built(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


def chapter_start(built: Built, chapter: Chapter) -> int:
    """Index of the page a chapter opens on: the first page after the contents whose text
    begins with the chapter's title."""
    for index, text in enumerate(built.pages):
        if index > contents_page(built) and squash(text).startswith(squash(chapter.title)):
            return index
    raise AssertionError(f"no page opens with {chapter.title!r}")


def contents_page(built: Built) -> int:
    return next(i for i, text in enumerate(built.pages) if text.lstrip().startswith("Contents"))


def body_text(built: Built) -> str:
    """The squashed text of the chapters' pages without running heads, folios and notes,
    so that a paragraph broken across pages reads as one."""
    chapters = book_chapters(built)
    heads = {built.pdf_reader.metadata.title.upper(), "BETA"}
    heads |= {c.title.upper() for c in chapters}
    notes = [squash(note.text) for c in chapters for note in c.notes.values()]
    parts = []
    for page in built.pages[contents_page(built) + 1 :]:
        # Extraction order: the text block, the notes, the running head, the folio.
        lines = page.rstrip().split("\n")
        if lines[-1].strip().isdigit():
            lines.pop()
        if lines[-1].strip() in heads:
            lines.pop()
        text = squash("\n".join(lines))
        for note in notes:
            text = re.sub(r"\d+" + re.escape(note), "", text)
        parts.append(text)
    return "".join(parts)


def multiply(first: Matrix, then: Matrix) -> Matrix:
    """The transformation ``first`` followed by ``then`` (PDF matrices, row vectors)."""
    a, b, c, d, e, f = first
    p, q, r, s, t, u = then
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def drawn_images(
    content: pikepdf.Stream | pikepdf.Page, resources: pikepdf.Object, ctm: Matrix = IDENTITY
) -> list[tuple[pikepdf.Stream, Box]]:
    """The image XObjects a page's (or form's) content stream paints, with the box each
    covers on the page; unlike ``page.images`` (the page's resources, which WeasyPrint
    shares between all pages), only images that are drawn."""
    drawn: list[tuple[pikepdf.Stream, Box]] = []
    saved: list[Matrix] = []
    for instruction in pikepdf.parse_content_stream(content):
        operands, operator = instruction.operands, instruction.operator
        if str(operator) == "q":
            saved.append(ctm)
        elif str(operator) == "Q":
            ctm = saved.pop()
        elif str(operator) == "cm":
            a, b, c, d, e, f = (float(value) for value in operands)
            ctm = multiply((a, b, c, d, e, f), ctm)
        elif str(operator) == "Do":
            xobject = resources.XObject[str(operands[0])]
            if not isinstance(xobject, pikepdf.Stream):
                continue
            if xobject.Subtype == "/Image":
                corners = [
                    (x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5])
                    for x in (0, 1)
                    for y in (0, 1)
                ]
                xs, ys = [x for x, _ in corners], [y for _, y in corners]
                drawn.append((xobject, (min(xs), min(ys), max(xs), max(ys))))
            elif xobject.Subtype == "/Form":
                a, b, c, d, e, f = (float(value) for value in xobject.get("/Matrix", IDENTITY))
                inner = xobject.get("/Resources", resources)
                drawn += drawn_images(xobject, inner, multiply((a, b, c, d, e, f), ctm))
    return drawn


def same_picture(xobject: pikepdf.Stream, picture: Image.Image) -> bool:
    embedded = pikepdf.PdfImage(xobject).as_pil_image().convert(picture.mode)
    return embedded.size == picture.size and embedded.tobytes() == picture.tobytes()


def baselines(page: PageObject, words: str) -> list[float]:
    """The heights of the lines of text on ``page`` that read ``words``."""
    chunks: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            chunks.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], squash(text)))

    page.extract_text(visitor_text=visit)
    wanted = squash(words)
    for start in range(len(chunks)):
        read = ""
        for end in range(start, len(chunks)):
            read += chunks[end][1]
            if read == wanted:
                return [height for height, _ in chunks[start : end + 1]]
            if not wanted.startswith(read):
                break
    raise AssertionError(f"{words!r} is not a run of text on the page")


def test_every_paragraph_is_in_the_pdf_in_order(built: Built) -> None:
    text = body_text(built)
    position = 0
    for chapter in book_chapters(built):
        for paragraph in chapter.numbered:
            found = text.find(squash(paragraph), position)
            assert found >= 0, f"missing or out of order: {paragraph[:60]!r}"
            position = found


def test_figure_is_drawn_with_its_caption_under_it(multi: Built) -> None:
    chapters = book_chapters(multi)
    starts = [chapter_start(multi, chapter) for chapter in chapters] + [len(multi.pages)]
    figures = [
        (i, chapter, figure) for i, chapter in enumerate(chapters) for figure in chapter.figures
    ]
    assert figures, "the test book has a figure"
    text = body_text(multi)
    with pikepdf.open(multi.pdf) as pdf:
        drawn = [drawn_images(page, page.Resources) for page in pdf.pages]
        for index, chapter, figure in figures:
            where = (chapter.path.name, figure.src)
            with Image.open(chapter.path.parent / figure.src) as image:
                picture = image.convert("RGB")
            boxes = [[box for x, box in images if same_picture(x, picture)] for images in drawn]
            pages = [i for i, found in enumerate(boxes) if found]
            captioned = [
                i
                for i in range(starts[index], starts[index + 1])
                if squash(figure.caption) in squash(multi.pages[i])
            ]
            assert len(pages) == 1 and pages == captioned, (where, pages, captioned)
            (box,) = boxes[pages[0]]
            lines = baselines(multi.pdf_reader.pages[pages[0]], figure.caption)
            assert max(lines) < box[1], (where, "the caption stands under the image")
            # In reading order, between the paragraphs around the figure.
            before, after = chapter.numbered[: figure.after], chapter.numbered[figure.after :]
            position = 0
            for words in [*before[-1:], figure.caption, *after[:1]]:
                position = text.find(squash(words), position)
                assert position >= 0, (where, "out of reading order", words[:40])


def test_each_note_is_on_the_page_of_its_call_with_its_number(built: Built) -> None:
    for chapter in book_chapters(built):
        seen: set[str] = set()
        for call, number in zip(chapter.calls, chapter.note_numbers(), strict=True):
            label, first_call = call.label, call.label not in seen
            seen.add(label)
            call_pages = [
                i
                for i, page in enumerate(built.pages)
                if squash(call.before) + str(number) in squash(page)
            ]
            note_pages = [
                i
                for i, page in enumerate(built.pages)
                if str(number) + squash(chapter.notes[label].text) in squash(page)
            ]
            assert len(note_pages) == 1, (label, note_pages)
            assert call_pages, f"call of [^{label}] with number {number} not found"
            if first_call:
                assert note_pages[0] in call_pages, (label, call_pages, note_pages)


def test_north_korea_notes_are_numbered_as_in_the_source(north_korea: Built) -> None:
    text = squash("".join(north_korea.pages))
    assert squash("out of the country.1") in text
    assert squash("the international community.2") in text
    assert squash("perceived dissent.3") in text
    assert squash("1 “North Korea: Deteriorating human rights situation") in text
    assert squash("3 North Korea, 60+ Voices") in text


def test_contents_page_numbers_are_the_pages_where_chapters_start(built: Built) -> None:
    contents = built.pages[contents_page(built)]
    for chapter in book_chapters(built):
        start = chapter_start(built, chapter)
        pattern = re.escape(chapter.title).replace(r"\ ", r"\s+") + r"[\s.]*?(\d+)\s*$"
        match = re.search(pattern, contents, re.MULTILINE)
        assert match, f"{chapter.title!r} not in the contents"
        assert int(match.group(1)) == start + 1
        # The folio printed on that page is the number the contents gives.
        assert re.search(rf"(^|\n)\s*{start + 1}\s*$", built.pages[start].strip()[-8:])


def test_contents_leaders_are_dots_drawn_between_title_and_number(
    built: Built, tmp_path: Path
) -> None:
    """Each entry of the contents is its title, a row of dots, then its page number, the
    numbers in one column. The dots are drawn, not text: the text of the line is the
    title and the number, nothing between."""
    page = contents_page(built)
    pages = ["-f", str(page + 1), "-l", str(page + 1)]
    layout = subprocess.run(
        ["pdftotext", "-bbox-layout", *pages, built.pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    picture_file = tmp_path / "contents"
    scale = 2  # pixels per point: a dot 1.2 pt wide inks a pixel whatever its position
    resolution = ["-r", str(72 * scale)]
    subprocess.run(
        ["pdftoppm", "-gray", *resolution, *pages, "-singlefile", built.pdf, picture_file],
        check=True,
    )
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    rows: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for a, b, c, d, text in word.findall(layout):  # words in rows, by their bottoms
        rows.setdefault(round(float(d)), []).append((float(a), float(b), float(c), float(d), text))
    entries = [
        sorted(words) for words in rows.values() if len(words) >= 2 and max(words)[4].isdigit()
    ]
    assert len(entries) == sum(1 + len(c.sections()) for c in book_chapters(built))
    number_right = {round(words[-1][2]) for words in entries}
    assert max(number_right) - min(number_right) <= 1  # one column, aligned right
    column = 9 * MM  # the width of the numbers' column (pdf.css)
    ends = []
    with Image.open(picture_file.with_suffix(".pgm")) as image:
        picture = image.convert("L")
        for words in entries:
            assert not any(set(w[4]) <= {"."} for w in words)  # no dot is text
            title_end, number_start = words[-2][2], words[-1][0]
            top, bottom = round(words[-1][1] * scale), round(words[-1][3] * scale)
            gap = range(round(title_end * scale) + 2, round(number_start * scale) - 2)
            inked = [
                x / scale
                for x in gap
                if min(picture.getpixel((x, y)) for y in range(top, bottom)) < 200
            ]
            assert inked, f"no leader after {words[-2][4]!r}"
            # The dots start after the title and run on, one every 4 pt (a point or two
            # of ink each), to the numbers' column.
            assert min(inked) < title_end + 8
            assert len(inked) / scale >= (max(inked) - min(inked)) / 5
            assert max(number_right) - column - 6 < max(inked) < max(number_right) - column
            ends.append(max(inked))
    assert max(ends) - min(ends) <= 1  # the leaders all end in one column


def test_outline_lists_chapters_and_sections_with_their_pages(built: Built) -> None:
    reader = built.pdf_reader
    outline = reader.outline
    top = [item for item in outline if isinstance(item, Destination)]
    chapters = book_chapters(built)
    assert [item.title for item in top] == [c.title for c in chapters]
    for index, (item, chapter) in enumerate(zip(top, chapters, strict=True)):
        assert reader.get_destination_page_number(item) == chapter_start(built, chapter)
        children = outline[outline.index(item) + 1] if index < len(outline) else []
        section_titles = [heading.text for heading in chapter.sections()]
        assert [c.title for c in children if isinstance(c, Destination)] == section_titles


def test_metadata_language_and_tagging(north_korea: Built) -> None:
    with pikepdf.open(north_korea.pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "North Korea 2023"
        assert str(info["/Author"]) == "Amnesty International"
        assert "Human rights" in str(info["/Keywords"])
        assert "Human rights" in str(info["/Subject"])
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"


def test_fonts_are_the_shipped_ones_embedded_and_subset(built: Built) -> None:
    with pikepdf.open(built.pdf) as pdf:
        names = set()
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                name = str(descendant.BaseFont)
                assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not subset"
                names.add(name.split("+", 1)[1])
    assert names and all(n.startswith(("Charis", "Inter")) for n in names), names


def test_words_are_hyphenated(north_korea: Built) -> None:
    paragraphs = " ".join(p for c in book_chapters(north_korea) for p in c.paragraphs)
    manuscript_words = set(re.findall(r"\w+", paragraphs))
    hyphenated = [
        first + second
        for page in north_korea.pages
        for first, second in re.findall(r"(\w+)[-\u2010]\n(\w+)", page)
        if first + second in manuscript_words and f"{first}-{second}" not in paragraphs
    ]
    assert len(hyphenated) >= 3, hyphenated


def test_running_heads_and_folios(multi: Built) -> None:
    beta, gamma = book_chapters(multi)[1:]
    start, end = chapter_start(multi, beta), chapter_start(multi, gamma)
    assert end - start >= 3, "beta should run over several pages"
    heads = ("BETA", "THREE ENTRIES")
    lines = [page.rstrip().split("\n") for page in multi.pages]
    # Extraction order puts the running head just before the folio.
    assert lines[start][-2] not in heads, "a chapter's opening page has no running head"
    for index in range(start + 1, end):
        expected = "BETA" if (index + 1) % 2 else "THREE ENTRIES"  # recto: chapter, verso: book
        assert lines[index][-2] == expected, (index, lines[index][-3:])
    for index in range(contents_page(multi) + 1, len(multi.pages)):
        assert lines[index][-1] == str(index + 1)


def test_links(multi: Built) -> None:
    reader: PdfReader = multi.pdf_reader
    uris, internal = [], 0
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if action is not None and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
            elif annotation.get("/Dest") is not None or (
                action is not None and action.get("/S") == "/GoTo"
            ):
                internal += 1
    assert uris == ["https://example.org/report"]
    # Contents (3 chapters + 4 sections), two cross-chapter links, chapter:beta.
    assert internal >= 10
    text = squash("".join(multi.pages))
    assert squash("See Beta entry and Omega entry.") in text


def test_title_page_and_imprint(north_korea: Built) -> None:
    assert squash("North Korea 2023") in squash(north_korea.pages[0])
    assert squash("Amnesty International") in squash(north_korea.pages[0])
    notice = "Amnesty International takes no position on issues of sovereignty"
    holding = [i for i, p in enumerate(north_korea.pages) if squash(notice) in squash(p)]
    assert holding == [1], "the map notice belongs on the imprint page only"
    assert "Back to North Korea" not in "".join(north_korea.pages)


def test_qpdf_finds_no_problem(built: Built) -> None:
    for path in (built.pdf, built.print_pdf):
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_summary_line_names_what_was_written(north_korea: Built) -> None:
    line, layout = north_korea.result.stdout.strip().split("\n")
    assert re.fullmatch(r"built in \d+\.\d s: laid out .+", layout), layout
    for path in (north_korea.pdf, north_korea.print_pdf, north_korea.epub):
        assert path.name in line and path.exists()
    assert f"{len(north_korea.pages)} pages" in line
    assert "Traceback" not in north_korea.result.stderr


def test_page_size_is_taken_from_book_yaml(tmp_path: Path, make_book: Callable[..., Path]) -> None:
    root = make_book(book="title: Small\nlanguage: en-GB\npage_size: A5\nchapters: [a.md]\n")
    result = run_presswork("build", root, "-o", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    box = [float(v) for v in PdfReader(tmp_path / "out" / "small.pdf").pages[0].mediabox]
    assert box[2] == pytest.approx(148 * MM, abs=0.5) and box[3] == pytest.approx(210 * MM, abs=0.5)
    assert not (tmp_path / "out" / "small.epub").exists()


CONTENTS = """<html lang="en"><body><nav class="contents"><ol>
<li class="toc-level-1"><span class="toc-entry"><a href="#a">Alpha</a><span class="toc-page"
 data-href="#a" data-page="999"></span></span></li>
<li class="toc-level-1"><span class="toc-entry"><a href="#b">Beta</a><span class="toc-page"
 data-href="#b" data-page="999"></span></span></li>
</ol></nav><h1 id="a">Alpha</h1><h1 id="b">Beta</h1></body></html>"""


def test_page_numbers_set_into_a_laid_out_contents_keep_their_right_edge(
    tmp_path: Path,
) -> None:
    """The contents is laid out once with placeholder numbers; the real ones are set into
    that layout, right-aligned as the placeholder was, and a number that cannot be set is
    named (the build then fails rather than print the placeholder)."""
    from datetime import UTC, datetime

    from presswork.layout import engine
    from presswork.layout.pages import set_page_numbers
    from presswork.styles import styles_dir

    layout = engine.layout_of(CONTENTS, tmp_path, styles_dir())
    missed = set_page_numbers(layout, {"a": "999", "b": "999"}, {"a": "7"})
    assert missed == ["b"]
    written, _ = engine.write_pdf(layout, "contents", datetime(2000, 1, 1, tzinfo=UTC))
    path = tmp_path / "contents.pdf"
    path.write_bytes(written)
    words = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)<', words)
    right = {text: float(x) for x, text in found}
    assert "7" in right and "999" in right and "Alpha" in right, found
    assert abs(right["7"] - right["999"]) < 0.5, right


def test_weasyprint_loads_its_libraries_without_searching_for_them() -> None:
    """A layout process loads WeasyPrint's C libraries by their sonames: no name goes
    through ctypes' find_library (ldconfig, the C compiler, the linker: a third of a
    second of every process's start), and HarfBuzz's subsetter, which the PDFs' fonts
    are subset with, is among them."""
    probe = """
import ctypes.util, json
asked = []
def find_library(name):
    asked.append(name)
    return None
ctypes.util.find_library = find_library
from presswork.layout import engine
engine._load_weasyprint()
from weasyprint.text import ffi
print(json.dumps({"asked": asked, "subset": ffi.harfbuzz_subset is not None}))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == {"asked": [], "subset": True}, result.stdout
