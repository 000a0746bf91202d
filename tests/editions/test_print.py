"""The print edition as a printer receives it, read back from the built files: PDF/X-4
in the printing condition's inks, each page on a sheet whose boxes an imposition tool
takes, body text on the black plate alone (Ghostscript's separations), chapters opening
on right-hand pages and the page count padded to a signature where the book asks."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image, ImageCms
from pypdf import PdfReader

from presswork.release.preflight import print_preflight
from presswork.styles import styles_dir

from conftest import BOOKS, NS, Built, run_presswork

MM = 72 / 25.4
PRODUCTION = tomllib.loads((styles_dir() / "production.toml").read_text(encoding="utf-8"))
BLEED_MM = PRODUCTION["print"]["bleed_mm"]


@pytest.fixture(params=["north_korea", "multi", "right_book"])
def built(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def right_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The three-chapter book with its chapters opening on right-hand pages and its print
    edition padded to sheets of eight pages."""
    source = tmp_path_factory.mktemp("right-source") / "book"
    shutil.copytree(BOOKS / "multi", source)
    with (source / "book.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("chapter_start: right\nsignature: 8\n")
    output = tmp_path_factory.mktemp("right")
    result = run_presswork("build", source, "-o", output)
    assert result.returncode == 0, result.stderr
    return Built(output, "three-entries", result, source)


def boxes(page: pikepdf.Page) -> dict[str, list[float]]:
    return {
        key: [float(v) for v in page.obj[key]] for key in ("/MediaBox", "/TrimBox", "/BleedBox")
    }


def test_the_print_preflight_passes(built: Built) -> None:
    verdicts = print_preflight(built.print_pdf, BLEED_MM)
    assert len(verdicts) == 8
    assert all(v.passed for v in verdicts), [v for v in verdicts if not v.passed]


def test_each_page_is_on_a_sheet_an_imposition_tool_takes(built: Built) -> None:
    """The MediaBox starts at 0,0 and takes in the marks; the trim is the screen page;
    the bleed the production's; every page the same; the marks outside the bleed."""
    slug = sum(
        PRODUCTION["print"][k] for k in ("mark_offset_mm", "mark_length_mm", "mark_margin_mm")
    )
    with pikepdf.open(built.pdf) as screen, pikepdf.open(built.print_pdf) as printed:
        width, height = (float(v) for v in screen.pages[0].MediaBox[2:])
        expected_trim = [slug * MM, slug * MM, slug * MM + width, slug * MM + height]
        first = boxes(printed.pages[0])
        assert first["/MediaBox"] == pytest.approx(
            [0, 0, width + 2 * slug * MM, height + 2 * slug * MM]
        )
        assert first["/TrimBox"] == pytest.approx(expected_trim)
        b = BLEED_MM * MM
        trim = expected_trim
        assert first["/BleedBox"] == pytest.approx(
            [trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b]
        )
        for page in printed.pages:
            assert boxes(page) == first
            assert "/Annots" not in page.obj  # links are the screen's
            marks = re.findall(
                rb"([-\d.]+) ([-\d.]+) m ([-\d.]+) ([-\d.]+) l",
                page.obj.Contents[-1].read_bytes().split(b"/PressworkRegistration CS")[1],
            )
            assert len(marks) == 8
            bleed = first["/BleedBox"]
            for x0, y0, x1, y1 in ((float(v) for v in m) for m in marks):
                outside_x = min(x0, x1) >= bleed[2] or max(x0, x1) <= bleed[0]
                outside_y = min(y0, y1) >= bleed[3] or max(y0, y1) <= bleed[1]
                assert outside_x or outside_y
                assert min(x0, x1) >= 0 and max(x0, x1) <= first["/MediaBox"][2]
    # The text is where it was on the screen's page, moved with the trim.
    screen_text = PdfReader(built.pdf).pages[3].extract_text()
    assert PdfReader(built.print_pdf).pages[3].extract_text() == screen_text


def test_the_print_edition_claims_pdfx4_for_its_printing_condition(north_korea: Built) -> None:
    with pikepdf.open(north_korea.print_pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == PRODUCTION["print"]["condition"]
        profile = (styles_dir() / PRODUCTION["print"]["profile"]).read_bytes()
        assert intent.DestOutputProfile.read_bytes() == profile
        xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
        said = {k.split("}")[1]: v for e in xmp.iter() for k, v in e.attrib.items()}
        assert said["GTS_PDFXVersion"] == "PDF/X-4" and said["Trapped"] == "False"
        assert pdf.docinfo.Trapped == "/False"
    # The screen edition names sRGB, the colour space it is painted in.
    with pikepdf.open(north_korea.pdf) as screen:
        (intent,) = screen.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == PRODUCTION["screen"]["condition"]
        assert int(intent.DestOutputProfile.N) == 3


def test_the_designer_s_inks_are_the_print_edition_s(north_korea: Built) -> None:
    """The summary's bar in the yellow production.toml gives, text in black ink alone;
    the screen edition keeps its sRGB colours."""
    accent = [v / 100 for v in PRODUCTION["print"]["colours"]["accent"]]
    with pikepdf.open(north_korea.print_pdf) as pdf:
        fills = [
            [float(v) for v in i.operands]
            for i in pikepdf.parse_content_stream(pdf.pages[3])
            if str(i.operator) == "k"
        ]
    assert accent in fills
    assert [0, 0, 0, 1] in fills
    assert all(f == accent or f[:3] == [0, 0, 0] for f in fills)
    with pikepdf.open(north_korea.pdf) as screen:
        operators = {str(i.operator) for i in pikepdf.parse_content_stream(screen.pages[3])}
    assert "rg" in operators and "k" not in operators


def separations(pdf: Path, page: int, folder: Path) -> dict[str, Image.Image]:
    """The page's plates as Ghostscript's tiffsep device separates them (0 is solid ink,
    255 none), at 100 dpi."""
    folder.mkdir()
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffsep", "-r100",
         f"-dFirstPage={page}", f"-dLastPage={page}", f"-sOutputFile={folder}/p.tif", str(pdf)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return {
        ink: Image.open(folder / f"p({ink}).tif") for ink in ("Cyan", "Magenta", "Yellow", "Black")
    }


def inked_under_text(
    plates: dict[str, Image.Image], area: tuple[int, int, int, int]
) -> dict[str, int]:
    """How many pixels of each colour plate carry ink where the black plate does, in
    ``area`` (pixels: left, top, right, bottom)."""
    black = plates["Black"].crop(area).tobytes()
    text = [i for i, v in enumerate(black) if v < 128]
    assert len(text) > 10_000, "the black plate carries the text"
    inked = {}
    for ink, plate in plates.items():
        if ink != "Black":
            values = plate.crop(area).tobytes()
            inked[ink] = sum(1 for i in text if values[i] < 255)
    return inked


def test_body_text_separates_onto_the_black_plate_alone(north_korea: Built, tmp_path: Path) -> None:
    """Ghostscript's separations of the North Korea entry's opening page: under every
    pixel of text and rule on the black plate, the cyan, magenta and yellow plates carry
    no ink. The screen edition separated the same way prints its #1a1a1a text in four
    inks, which is what the print edition's conversion is for."""
    with pikepdf.open(north_korea.print_pdf) as pdf:
        x0, y0, x1, y1 = (float(v) for v in pdf.pages[3].TrimBox)
        height = float(pdf.pages[3].MediaBox[3])
    scale = 100 / 72
    # The trimmed page, in the plates' pixels (rows from the top).
    area = (
        round(x0 * scale),
        round((height - y1) * scale),
        round(x1 * scale),
        round((height - y0) * scale),
    )
    printed = separations(north_korea.print_pdf, 4, tmp_path / "print")
    assert inked_under_text(printed, area) == {"Cyan": 0, "Magenta": 0, "Yellow": 0}
    screen = separations(north_korea.pdf, 4, tmp_path / "screen")
    width, page_height = screen["Black"].size
    four_colour = inked_under_text(screen, (0, 0, width, page_height))
    assert all(count > 10_000 for count in four_colour.values()), four_colour


def test_images_are_converted_through_the_printing_condition(multi: Built) -> None:
    """The figure's pixels are the profile's inks for the PNG's sRGB pixels."""
    picture = Image.open(BOOKS / "multi" / "chart.png").convert("RGB")
    profile = styles_dir() / PRODUCTION["print"]["profile"]
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(profile)),
        "RGB",
        "CMYK",
        ImageCms.Intent.RELATIVE_COLORIMETRIC,
        ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    expected = ImageCms.applyTransform(picture, transform)
    assert expected is not None
    with pikepdf.open(multi.print_pdf) as pdf:
        images = [
            xobject
            for page in pdf.pages
            for xobject in page.Resources.get("/XObject", {}).values()
            if xobject.get("/Subtype") == "/Image"
        ]
        assert images
        for image in images:
            assert image.ColorSpace == "/DeviceCMYK"
            converted = pikepdf.PdfImage(image).as_pil_image()
            assert converted.mode == "CMYK" and converted.size == picture.size
            for xy in ((0, 0), (picture.width // 2, picture.height // 2)):
                assert converted.getpixel(xy) == expected.getpixel(xy)


def test_a_changed_print_edition_fails_the_preflight(north_korea: Built, tmp_path: Path) -> None:
    """The preflight finds what a careless change does to the real file: an RGB colour,
    the output intent gone, a page's box moved."""

    def broken(change: str) -> Path:
        path = tmp_path / f"{change}.pdf"
        with pikepdf.open(north_korea.print_pdf) as pdf:
            if change == "rgb":
                pdf.pages[4].contents_add(pdf.make_stream(b"q 1 0 0 rg 0 0 5 5 re f Q"))
            elif change == "intent":
                del pdf.Root.OutputIntents
            else:  # trim and bleed moved together: the bleed is still whole
                page = pdf.pages[2]
                for box in ("/TrimBox", "/BleedBox"):
                    page[box] = pikepdf.Array([float(v) + 2 for v in page[box]])
            pdf.save(path, fix_metadata_version=False)
        return path

    for change, check, page in (
        ("rgb", "print: no RGB", "page 5"),
        ("intent", "print: output intent", ""),
        ("box", "print: page boxes", "page 3"),
    ):
        verdicts = {v.check: v for v in print_preflight(broken(change), BLEED_MM)}
        assert verdicts[check].passed is False and page in verdicts[check].detail
        assert [c for c, v in verdicts.items() if not v.passed] == [check]


def test_chapters_open_on_right_hand_pages_after_blank_versos(right_book: Built) -> None:
    """Each chapter opens on an odd page; a page before one that the chapter before does
    not fill is blank, with no running head or folio; the contents and the outline give
    the pages the chapters open on; the screen edition has the same pages, unpadded."""
    pages = right_book.pages
    titles = ("Alpha Entry", "Beta Entry", "Gamma Entry")
    openings = [next(i for i, t in enumerate(pages) if t.startswith(title)) + 1 for title in titles]
    assert all(folio % 2 == 1 for folio in openings), openings
    blanks = [folio - 1 for folio in openings if not pages[folio - 2].strip()]
    assert blanks, "the book has a chapter that would have opened on a left-hand page"
    with pikepdf.open(right_book.pdf) as pdf:
        for folio in blanks:
            operators = [
                str(i.operator) for i in pikepdf.parse_content_stream(pdf.pages[folio - 1])
            ]
            assert "TJ" not in operators and "Tj" not in operators and "Do" not in operators
    for title, folio in zip(titles, openings, strict=True):
        listed = re.search(rf"{re.escape(title)}[^\n]*?(\d+)\n", pages[2])
        assert listed is not None and listed.group(1) == str(folio), title
    reader = right_book.pdf_reader
    chapters = [d for d in reader.outline if not isinstance(d, list)]
    assert [reader.get_destination_page_number(d) + 1 for d in chapters] == openings


def test_the_print_edition_is_padded_to_its_signature(right_book: Built) -> None:
    screen, printed = PdfReader(right_book.pdf), PdfReader(right_book.print_pdf)
    assert len(printed.pages) % 8 == 0 and len(printed.pages) - len(screen.pages) < 8
    assert len(screen.pages) % 8 != 0, "the book needs padding, or the test proves nothing"
    for page in printed.pages[len(screen.pages) :]:
        assert not (page.extract_text() or "").strip()
    said = re.search(r"three-entries-print\.pdf \(\d+ KB, (\d+) pages\)", right_book.result.stdout)
    assert said is not None and said.group(1) == str(len(printed.pages))


def test_the_page_list_names_every_page_of_the_screen_edition(right_book: Built) -> None:
    """The ePub's page list has the screen edition's pages, blank ones included (at the
    opening of the chapter after them), in order."""
    with zipfile.ZipFile(right_book.epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
    listed = [
        a.text
        for nav_element in nav.iterfind(".//x:nav", NS)
        if nav_element.get(f"{{{NS['epub']}}}type") == "page-list"
        for a in nav_element.iterfind(".//x:a", NS)
    ]
    assert listed == [str(n) for n in range(1, len(right_book.pages) + 1)]


def test_the_book_laid_out_as_one_document_has_the_same_pages(
    right_book: Built, tmp_path: Path
) -> None:
    assert right_book.source is not None
    result = run_presswork(
        "build", right_book.source, "-o", tmp_path, "--single", "--format", "pdf"
    )
    assert result.returncode == 0, result.stderr
    single = [p.extract_text() or "" for p in PdfReader(tmp_path / "three-entries.pdf").pages]
    assert single == right_book.pages


def test_the_print_edition_s_bookmarks_lead_where_the_screen_s_do(multi: Built) -> None:
    """The outline is kept for the prepress operator, each destination on the same page
    and moved with the page onto its sheet; the links and their named destinations are
    gone."""
    slug = sum(
        PRODUCTION["print"][k] for k in ("mark_offset_mm", "mark_length_mm", "mark_margin_mm")
    )
    screen, printed = PdfReader(multi.pdf), PdfReader(multi.print_pdf)
    assert screen.named_destinations and not printed.named_destinations

    def flat(outline: list[object]) -> list[object]:
        return [d for item in outline for d in (flat(item) if isinstance(item, list) else [item])]

    ours, theirs = flat(screen.outline), flat(printed.outline)
    assert len(ours) == len(theirs) > 3
    for mine, its in zip(ours, theirs, strict=True):
        assert mine.title == its.title  # type: ignore[attr-defined]
        assert screen.get_destination_page_number(mine) == printed.get_destination_page_number(its)  # type: ignore[arg-type]
        assert float(its.left) == pytest.approx(float(mine.left) + slug * MM)  # type: ignore[attr-defined]
        assert float(its.top) == pytest.approx(float(mine.top) + slug * MM)  # type: ignore[attr-defined]
