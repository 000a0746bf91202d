"""merge_fonts on real WeasyPrint output: small parts rendered once, joined as the book is,
merged, then compared with the unmerged join: objects, glyphs, text and pixels."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from presswork.cache import Store
from presswork.pdf.fontmerge import merge_fonts

from conftest import ROOT

ORIGINALS = sorted((ROOT / "styles" / "fonts").rglob("*.[ot]tf"))
STYLE = """
body { font-family: "Charis SIL"; font-size: 11pt }
h1 { font-family: Inter; font-weight: 600; font-size: 20pt }
.note { font-family: Inter; font-size: 11pt }
.small { font-size: 8pt }
"""
MANY = (
    "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX, 0123456789! "
    "Œuvres, façade, naïve, Ærø, señor, Dvořák, Łódź; “quoted” ‘text’ — (brackets) [1] "
    "office affine flow & co. ? @ # % * + = / 1953–2023 … ¶ § † ‡ ° ± × ÷ € £ ¥"
)
# Inter widths are rounded at the size a part first uses the font at: digits come out
# 464 wide at 8 pt and 465 at 11 pt, so the two notes parts disagree on one glyph.
NOTES = "Notes on the sources, 1953–2023: quoted verbatim, 1 1 1 19 91."
PARTS = {
    "abc": "<h1>Abc</h1><p>abc cab bca</p>",
    "xyz": (
        "<h1>Xyz</h1><p>xyz <b>zyx</b> <i>yzx</i> <b><i>xxy</i></b></p>"
        '<p style="opacity: 0.5">z y x, in a form XObject</p>'
    ),
    "many": f"<h1>Many</h1><p>{MANY}</p><p><i>{MANY}</i></p>",
    "notes8": f'<p class="note small">{NOTES}</p><p class="note">{NOTES}</p>',
    "notes11": f'<p class="note">{NOTES}</p><p class="note small">{NOTES}</p>',
    "missing": "<p>abc \U0010fffd def</p>",
}


@pytest.fixture(scope="module")
def parts() -> dict[str, bytes]:
    """Each part as WeasyPrint writes it for the book."""
    config = FontConfiguration()
    fonts = CSS(filename=ROOT / "styles" / "fonts.css", font_config=config)
    style = CSS(string=STYLE, font_config=config)
    return {
        name: HTML(string=f'<html lang="en"><title>{name}</title>{body}').write_pdf(
            pdf_variant="pdf/ua-1", stylesheets=[fonts, style], font_config=config
        )
        for name, body in PARTS.items()
    }


def build(
    parts: dict[str, bytes],
    names: Sequence[str],
    originals: Sequence[Path] | None,
    store: Store | None = None,
) -> bytes:
    """The parts joined as the book joins them, merged unless ``originals`` is None."""
    sources = [pikepdf.open(io.BytesIO(parts[name])) for name in names]
    joined = pikepdf.new()
    for source in sources:
        joined.pages.extend(source.pages)
    if originals is not None:
        merge_fonts(joined, originals, store)
    output = io.BytesIO()
    joined.save(output, deterministic_id=True)
    return output.getvalue()


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def page_fonts(pdf: pikepdf.Pdf) -> list[dict[str, Any]]:
    """Each page's font resources: name: font dictionary."""
    return [dict(page.Resources.Font.items()) for page in pdf.pages]


def named(fonts: dict[str, Any], family: str) -> str:
    """The resource name of the font of ``family``: WeasyPrint names fonts ``/TAG`` and
    ``/TAG+Family`` after a hash of Pango's description of the font."""
    return next(name for name, font in fonts.items() if str(font.BaseFont).endswith(f"+{family}"))


def all_fonts(pdf: pikepdf.Pdf) -> list[Any]:
    """Every font the pages and their form XObjects use."""
    fonts: list[Any] = []
    pending = [page.Resources for page in pdf.pages]
    while pending:
        resources = pending.pop()
        fonts += resources.get("/Font", {}).values()
        pending += [xobject.Resources for xobject in resources.get("/XObject", {}).values()]
    return fonts


def font_file(font: Any) -> Any:
    descriptor = font.DescendantFonts[0].FontDescriptor
    return descriptor.get("/FontFile2", descriptor.get("/FontFile3"))


def postscript_name(stream: Any) -> str:
    with TTFont(io.BytesIO(stream.read_bytes()), lazy=True) as ttfont:
        return str(ttfont["name"].getDebugName(6))


def widths(font: Any) -> dict[int, Any]:
    array, result = list(font.DescendantFonts[0].W), {}
    for start, run in zip(array[::2], array[1::2], strict=True):
        result.update({start + offset: width for offset, width in enumerate(run)})
    return result


def to_unicode(font: Any) -> dict[int, str]:
    mappings = font.ToUnicode.read_bytes().partition(b"endcodespacerange")[2]
    pairs = re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]*)>", mappings)
    return {int(gid, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for gid, text in pairs}


def used_glyphs(pdf: pikepdf.Pdf) -> list[tuple[Any, int]]:
    """(font, glyph id) for every glyph the pages' content streams show."""
    used: list[tuple[Any, int]] = []
    for page in pdf.pages:
        fonts, font = page.Resources.Font, None
        for instruction in pikepdf.parse_content_stream(page):
            operator = str(instruction.operator)
            operands: list[Any] = list(instruction.operands)
            if operator == "Tf":
                font = fonts[operands[0]]
            elif operator in ("Tj", "TJ", "'", '"'):
                strings = operands[0] if operator == "TJ" else operands[-1:]
                for string in strings:
                    if isinstance(string, pikepdf.String):
                        data = bytes(string)
                        used += [
                            (font, int.from_bytes(data[i : i + 2])) for i in range(0, len(data), 2)
                        ]
    return used


def distinct(pdf: pikepdf.Pdf) -> dict[str, dict[str, set[tuple[int, int]]]]:
    """For each BaseFont: the distinct font, CIDFont and descriptor objects the pages use;
    for each face (PostScript name of the embedded file): the distinct font file streams."""
    objects: dict[str, dict[str, set[tuple[int, int]]]] = {}
    for font in all_fonts(pdf):
        cidfont = font.DescendantFonts[0]
        kinds = {"font": font, "cidfont": cidfont, "descriptor": cidfont.FontDescriptor}
        for kind, obj in kinds.items():
            objects.setdefault(str(font.BaseFont), {}).setdefault(kind, set()).add(obj.objgen)
        stream = font_file(font)
        face = objects.setdefault(postscript_name(stream), {})
        face.setdefault("file", set()).add(stream.objgen)
    return objects


def text_pages(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True)
    return result.stdout.split("\f")


def images(data: bytes, tmp_path: Path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", path, tmp_path / name], check=True)
    return [png.read_bytes() for png in sorted(tmp_path.glob(f"{name}-*.png"))]


def assert_renders_as_before(before: bytes, after: bytes, tmp_path: Path) -> None:
    """Same text page by page, same pixels, a valid file, and every font each page uses
    still has the widths and text of the copy it replaces."""
    assert text_pages(after, tmp_path, "after") == text_pages(before, tmp_path, "before")
    assert images(after, tmp_path, "after") == images(before, tmp_path, "before")
    path = tmp_path / "check.pdf"
    path.write_bytes(after)
    check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    old_pdf, new_pdf = open_pdf(before), open_pdf(after)
    for old_fonts, new_fonts in zip(page_fonts(old_pdf), page_fonts(new_pdf), strict=True):
        assert old_fonts.keys() == new_fonts.keys()
        for name, old in old_fonts.items():
            new = new_fonts[name]
            # The same font, though a copy that differs has a subset tag of its own.
            assert str(new.BaseFont).split("+")[-1] == str(old.BaseFont).split("+")[-1]
            old_widths, new_widths = widths(old), widths(new)
            assert {gid: new_widths.get(gid) for gid in old_widths} == old_widths
            old_text, new_text = to_unicode(old), to_unicode(new)
            assert {gid: new_text.get(gid) for gid in old_text} == old_text


@pytest.fixture(scope="module")
def book(parts: dict[str, bytes]) -> tuple[bytes, bytes]:
    """The three parts with different text, joined, then joined and merged."""
    names = ["abc", "xyz", "many"]
    return build(parts, names, None), build(parts, names, ORIGINALS)


def test_one_font_per_base_font_and_one_file_per_face(book: tuple[bytes, bytes]) -> None:
    before, after = distinct(open_pdf(book[0])), distinct(open_pdf(book[1]))
    charis = next(name for name in before if name.endswith("+Charis-SIL"))
    assert len(before[charis]["font"]) == 3, "Charis in each part"
    assert len(before["CharisSIL"]["file"]) == 3
    assert before.keys() == after.keys()
    for name, kinds in after.items():
        for kind, objects in kinds.items():
            assert len(objects) == 1, (name, kind, objects)


def test_merged_font_is_written_as_weasyprint_writes_it(book: tuple[bytes, bytes]) -> None:
    pdf = open_pdf(book[1])
    merged = {font.objgen: font for fonts in page_fonts(pdf) for font in fonts.values()}
    for font in merged.values():
        assert font.Encoding == pikepdf.Name("/Identity-H")
        cidfont = font.DescendantFonts[0]
        descriptor = cidfont.FontDescriptor
        assert "/CIDSet" not in descriptor
        array, font_widths = list(cidfont.W), widths(font)
        starts, runs = array[::2], array[1::2]
        assert starts == sorted(starts)
        for start, run, following in zip(starts, runs, [*starts[1:], None], strict=True):
            assert following is None or following > start + len(run), "runs not joined"
        assert descriptor.FontBBox[2] == max(font_widths.values())
        cmap = font.ToUnicode.read_bytes()
        batches = [int(count) for count in re.findall(rb"(\d+) beginbfchar", cmap)]
        assert all(count <= 100 for count in batches)
        assert sum(batches) == len(to_unicode(font))
        stream = font_file(font)
        assert stream.Filter == pikepdf.Name.FlateDecode
        if "/FontFile2" in descriptor:
            assert stream.Length1 == len(stream.read_bytes())
        else:
            assert stream.Subtype == pikepdf.Name.OpenType
    charis = next(font for font in merged.values() if str(font.BaseFont).endswith("+Charis-SIL"))
    assert len(to_unicode(charis)) > 100, "the union needs more than one bfchar batch"


def test_text_and_pixels_are_unchanged(book: tuple[bytes, bytes], tmp_path: Path) -> None:
    pages = text_pages(book[1], tmp_path, "merged")
    assert "abc cab bca" in pages[0]
    assert "xyz zyx yzx xxy" in pages[1]
    assert "Dvořák, Łódź" in pages[2]
    assert_renders_as_before(*book, tmp_path)


def test_every_glyph_shown_is_in_the_merged_font(book: tuple[bytes, bytes]) -> None:
    originals = {}
    for path in ORIGINALS:
        ttfont = TTFont(path)
        originals[ttfont["name"].getDebugName(6)] = ttfont
    merged: dict[tuple[int, int], TTFont] = {}
    drawn = 0
    pdf = open_pdf(book[1])
    declared = [(f, gid) for fonts in page_fonts(pdf) for f in fonts.values() for gid in widths(f)]
    for font, gid in used_glyphs(pdf) + declared:
        assert gid in widths(font), (font.BaseFont, gid)
        stream = font_file(font)
        if stream.objgen not in merged:
            merged[stream.objgen] = TTFont(io.BytesIO(stream.read_bytes()))
        ttfont = merged[stream.objgen]
        original = originals[ttfont["name"].getDebugName(6)]
        assert gid < len(ttfont.getGlyphOrder())
        paths = []
        for face in (ttfont, original):
            glyphs = face.getGlyphSet()
            pen = DecomposingRecordingPen(glyphs)
            glyphs[face.getGlyphOrder()[gid]].draw(pen)
            paths.append(pen.value)
        assert paths[0] == paths[1], (font.BaseFont, gid)
        drawn += bool(paths[0])
    assert drawn > 100


def test_smaller_and_reproducible(parts: dict[str, bytes], book: tuple[bytes, bytes]) -> None:
    before, after = book
    assert len(after) < len(before)
    assert build(parts, ["abc", "xyz", "many"], ORIGINALS) == after


def test_kept_subsets_are_reused_checked_and_pruned(
    parts: dict[str, bytes], book: tuple[bytes, bytes], tmp_path: Path
) -> None:
    store = Store(tmp_path / "cache")
    subsets = store.folder / "subset"
    names = ["abc", "xyz", "many"]
    assert build(parts, names, ORIGINALS, store) == book[1]
    kept = sorted(subsets.iterdir())
    assert kept and all(p.read_bytes().startswith(b"presswork-cache ") for p in kept)
    # Reused: a kept subset is what goes into the file, so one with other glyphs (but
    # whole bytes) would show; here each is the subset the merge would make anyway.
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    assert build(parts, names, ORIGINALS, store) == book[1]
    assert {p: p.stat().st_mtime_ns for p in sorted(subsets.iterdir())} == stamps
    # Damaged: ignored, made again, and replaced.
    kept[0].write_bytes(kept[0].read_bytes()[:-10])
    assert build(parts, names, ORIGINALS, store) == book[1]
    assert sorted(subsets.iterdir()) == kept
    assert kept[0].stat().st_mtime_ns != stamps[kept[0]]
    # Another book's glyphs: its subsets replace the old ones.
    build(parts, ["abc"], ORIGINALS, store)
    assert not set(subsets.iterdir()) & set(kept)


def test_face_without_original_is_left_alone(parts: dict[str, bytes], tmp_path: Path) -> None:
    names = ["abc", "xyz", "xyz"]
    without_bold = [path for path in ORIGINALS if path.name != "CharisSIL-Bold.ttf"]
    sources = [pikepdf.open(io.BytesIO(parts[name])) for name in names]
    joined = pikepdf.new()
    for source in sources:
        joined.pages.extend(source.pages)

    def bold_fonts() -> list[tuple[Any, Any, bytes]]:
        return [
            (font.objgen, font_file(font).objgen, font.unparse(resolved=True))
            for fonts in page_fonts(joined)
            for font in fonts.values()
            if str(font.BaseFont).endswith("+Charis-SIL-Bold")
        ]

    bold = bold_fonts()
    assert len({objgen for objgen, _, _ in bold}) == 2
    merge_fonts(joined, without_bold)
    assert bold_fonts() == bold
    output = io.BytesIO()
    joined.save(output, deterministic_id=True)
    after = distinct(open_pdf(output.getvalue()))
    assert len(after["CharisSIL-Bold"]["file"]) == 2
    assert len(after["CharisSIL"]["file"]) == 1
    assert_renders_as_before(build(parts, names, None), output.getvalue(), tmp_path)


def test_copies_that_disagree_keep_their_widths_under_names_of_their_own(
    parts: dict[str, bytes], tmp_path: Path
) -> None:
    """Two copies that cannot be one dictionary stay two, sharing the face's one file;
    as different fonts to a printer's RIP (which may cache fonts by name) each has a
    subset tag of its own."""
    names = ["notes8", "notes11", "notes8"]
    before, after = build(parts, names, None), build(parts, names, ORIGINALS)
    joined = open_pdf(before)
    inter = named(page_fonts(joined)[0], "Inter")
    copies = [fonts[inter] for fonts in page_fonts(joined)]
    assert widths(copies[0]) != widths(copies[1]), "WeasyPrint rounds widths differently"
    merged = open_pdf(after)
    fonts = {font.objgen: font for font in all_fonts(merged) if "Inter" in str(font.BaseFont)}
    assert len(fonts) == 2
    names_used = {str(font.BaseFont) for font in fonts.values()}
    assert len(names_used) == 2
    assert {name.split("+")[1] for name in names_used} == {str(copies[0].BaseFont).split("+")[1]}
    for font in fonts.values():
        descriptor = font.DescendantFonts[0].FontDescriptor
        assert (
            str(descriptor.FontName) == str(font.BaseFont) == str(font.DescendantFonts[0].BaseFont)
        )
        assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font.BaseFont))
    assert len(distinct(merged)["Inter-Regular"]["file"]) == 1
    assert_renders_as_before(before, after, tmp_path)


def test_font_with_missing_glyphs_is_left_alone(parts: dict[str, bytes], tmp_path: Path) -> None:
    names = ["abc", "missing", "xyz"]
    before, after = build(parts, names, None), build(parts, names, ORIGINALS)
    merged = open_pdf(after)
    charis = named(page_fonts(merged)[0], "Charis-SIL")
    fonts = [fonts[charis] for fonts in page_fonts(merged)]
    assert isinstance(fonts[1].Encoding, pikepdf.Stream)
    assert fonts[0].objgen == fonts[2].objgen != fonts[1].objgen
    assert font_file(fonts[0]).objgen != font_file(fonts[1]).objgen
    part = open_pdf(parts["missing"])
    original = page_fonts(part)[0][charis]
    assert font_file(fonts[1]).read_bytes() == font_file(original).read_bytes()
    assert_renders_as_before(before, after, tmp_path)


def test_copy_of_another_face_under_the_same_name_is_left_alone(
    parts: dict[str, bytes], tmp_path: Path
) -> None:
    """The embedded name is read from a font's first copy only: a later copy whose glyphs
    are another face's (here Charis Bold renamed Charis) must not be merged into it."""
    sources = [pikepdf.open(io.BytesIO(parts[name])) for name in ("abc", "xyz")]
    joined = pikepdf.new()
    for source in sources:
        joined.pages.extend(source.pages)
    fonts = page_fonts(joined)[1]
    bold, regular = named(fonts, "Charis-SIL-Bold"), named(fonts, "Charis-SIL")
    impostor = fonts[bold]
    impostor.BaseFont = impostor.DescendantFonts[0].BaseFont = fonts[regular].BaseFont
    before = io.BytesIO()
    joined.save(before, deterministic_id=True)
    merge_fonts(joined, ORIGINALS)
    assert joined.pages[1].Resources.Font[bold].objgen == impostor.objgen
    assert joined.pages[1].Resources.Font[regular].objgen != fonts[regular].objgen, "merged"
    after = io.BytesIO()
    joined.save(after, deterministic_id=True)
    assert_renders_as_before(before.getvalue(), after.getvalue(), tmp_path)


def test_stale_cidset_is_removed(tmp_path: Path) -> None:
    """WeasyPrint writes a /CIDSet (the glyphs a subset has) for PDF 1.4 and older."""
    config = FontConfiguration()
    fonts = CSS(filename=ROOT / "styles" / "fonts.css", font_config=config)
    style = CSS(string=STYLE, font_config=config)
    parts = {
        name: HTML(string=f"<p>{text}</p>").write_pdf(
            pdf_version="1.4", stylesheets=[fonts, style], font_config=config
        )
        for name, text in (("abc", "abc"), ("xyz", "xyz"))
    }
    before, after = build(parts, ["abc", "xyz"], None), build(parts, ["abc", "xyz"], ORIGINALS)
    joined, merged = open_pdf(before), open_pdf(after)
    assert all("/CIDSet" in font.DescendantFonts[0].FontDescriptor for font in all_fonts(joined))
    assert not any(
        "/CIDSet" in font.DescendantFonts[0].FontDescriptor for font in all_fonts(merged)
    )
    assert len(distinct(merged)["CharisSIL"]["file"]) == 1
    assert_renders_as_before(before, after, tmp_path)


def test_fonts_read_before_the_join_make_the_same_book(parts: dict[str, bytes]) -> None:
    """A part's fonts read before its pages are joined into the book (by the join's
    process, while the rest is laid out) are taken by the plan for their copies in the
    book, which then merges to exactly the book read all at once."""
    from presswork.pdf.fontcopies import read_fonts
    from presswork.pdf.fontmerge import apply_plan, plan

    names = ["abc", "xyz", "many", "notes8", "notes11"]

    def joined(read_before: bool) -> bytes:
        book = pikepdf.new()
        known: dict[Any, Any] = {}
        for name in names:
            with pikepdf.open(io.BytesIO(parts[name])) as source:
                read = read_fonts(source) if read_before else {}
                book.pages.extend(source.pages)
                for objgen, fonts in read.items():
                    known[book.copy_foreign(source.get_object(objgen)).objgen] = fonts
        planned = plan(book, ORIGINALS, known)
        if read_before:  # every copy the plan reads is taken as it was read before
            copies = [copy for _, fonts in planned.faces for base in fonts for copy in base]
            assert copies
            assert all(copy.widths is known[copy.font.objgen][0] for copy in copies)
        apply_plan(book, planned)
        output = io.BytesIO()
        book.save(output, deterministic_id=True)
        return output.getvalue()

    assert joined(read_before=True) == joined(read_before=False)
