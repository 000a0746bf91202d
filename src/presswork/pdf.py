"""Lay out the book's HTML with WeasyPrint and write the screen and print PDFs.

In: the HTML of :mod:`presswork.html`, the manuscript folder, the styles folder. Out: a
laid-out :class:`Layout` (WeasyPrint's pages, page count, warnings, where dot leaders go),
the screen PDF (tagged, PDF/UA-1, fonts embedded and subset) and the print PDF: the same
pages, not laid out again, with a 3 mm bleed, crop marks outside the bleed, and TrimBox
and BleedBox set, as a printer expects.

Dot leaders (the contents' rows of dots between title and page number) are drawn into the
written pages (:func:`draw_leaders`) where the layout says they go: a link (a contents
entry) that sets ``--leader-dot`` and ``--leader-spacing`` gets a row of dots that size, that
far apart, in its colour, on the baseline of its last line, from the end of its text (and
``--leader-gap`` after it) to the end of its content box, aligned on its right edge so
that the rows of all entries stand in columns. One stroked path each, marked as an
artifact: not text, not an image, no object of its own (WeasyPrint would draw a
background image as a pattern and a form for every entry: three objects each, a thousand
entries in a report's contents).
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf

from presswork import html
from presswork.model import Book
from presswork.units import PX

# WeasyPrint (and Pango with it) loads only where pages are laid out: an ePub built from
# the cache, or the print edition, need neither.
if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from presswork.fetch import LocalFetcher

MM = 72 / 25.4
BLEED_MM = 3.0
MARK_OFFSET_MM = 3.0  # crop marks start this far from the trim, outside the bleed
MARK_LENGTH_MM = 6.0
SLUG_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 2.0
MARK_WIDTH_PT = 0.25
MAX_WIDOWS = 6  # the largest .widows-N class in pdf.css


@dataclass(frozen=True)
class Leader:
    """A row of dots on page ``page`` (from 0), in PDF points from the page's top left:
    dots ``dot`` wide, ``spacing`` apart, their centres on ``y``, the first no further
    left than ``start`` allows, the last centred half a spacing before ``end``."""

    page: int
    start: float
    end: float
    y: float
    dot: float
    spacing: float
    rgb: tuple[float, float, float]

    def centres(self) -> tuple[float, float] | None:
        """The first and last dot's centre, or None where no whole dot fits."""
        last = self.end - self.spacing / 2
        count = int((last - self.dot / 2 - self.start) // self.spacing)
        if count < 0:
            return None
        return last - count * self.spacing, last


@dataclass(frozen=True)
class Layout:
    """A laid-out book: WeasyPrint's document and what it warned about."""

    document: Any
    warnings: tuple[str, ...]

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def anchor_pages(self) -> dict[str, int]:
        """Each element id in the book and the index of the page it starts on (an element
        that runs over several pages is an anchor on each of them)."""
        pages: dict[str, int] = {}
        for index, page in enumerate(self.document.pages):
            for anchor in page.anchors:
                pages.setdefault(anchor, index)
        return pages

    def displaced_notes(self) -> list[tuple[str, int, int]]:
        """Notes set on another page than their first call: (note id, call page, note page)
        with pages counted from 0."""
        pages = self.anchor_pages()
        displaced = []
        for anchor, page in pages.items():
            match = html.NOTE_ID.match(anchor)
            if match is None:
                continue
            call = pages.get(f"{match['chapter']}--_noteref-{match['number']}")
            if call is not None and call != page:
                displaced.append((anchor, call, page))
        return sorted(displaced, key=lambda d: d[1])

    def last_paragraph_on(self, page_index: int) -> str | None:
        anchors = self.document.pages[page_index].anchors
        paragraphs = [(xy[1], a) for a, xy in anchors.items() if html.PARAGRAPH_ID.match(a)]
        return max(paragraphs)[1] if paragraphs else None

    def leaders(self) -> tuple[Leader, ...]:
        """Where the dot leaders go: along the last line of every link box (the contents'
        entries link to what they list) that sets the leader's custom properties. Only
        the links are looked at: reading a property of every box of a chapter would cost
        a tenth of its layout."""
        found: list[Leader] = []
        for index, page in enumerate(self.document.pages):
            for _, _, _, box in page.links:
                dot = _length(box.style, "--leader-dot")
                spacing = _length(box.style, "--leader-spacing")
                gap = _length(box.style, "--leader-gap") or 0.0
                leader = _leader(index, box, dot, spacing, gap) if dot and spacing else None
                if leader is not None:
                    found.append(leader)
        return tuple(found)


def set_page_numbers(
    layout: Layout, placeholders: dict[str, str], folios: dict[str, str]
) -> list[str]:
    """Put the page numbers of the contents into a layout made with placeholders: the
    text that an element's ``data-page`` attribute generated (a contents entry's number,
    its target in ``data-href``), where it reads its target's placeholder, becomes its
    target's folio, shaped anew and moved to keep its right edge where it was. The
    numbers stand in a column of their own and are set in tabular figures, so that no
    other box moves: the pages are what a layout with the real numbers would have made.
    Returns the targets of the numbers that could not be set."""
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.text.line_break import split_first_line

    context = _HyphenationContext()
    missed = []
    for page in layout.document.pages:
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if not isinstance(box, TextBox) or element is None:
                continue
            target, shown = element.get("data-href"), element.get("data-page")
            if target is None or shown is None:
                continue
            anchor = target.removeprefix(html.XREF_SCHEME).removeprefix("#")
            folio = folios.get(anchor)
            if folio is None or not box.text == shown == placeholders.get(anchor):
                missed.append(anchor)
                continue
            shaped, _, _, width, _, _ = split_first_line(
                folio, box.style, context, None, box.justification_spacing
            )
            box.position_x += box.width - width
            box.width = width
            box.pango_layout = shaped
            box.text = shaped.text
    return missed


class _HyphenationContext:
    """What WeasyPrint's line breaking asks of its layout context: the hyphenation
    dictionaries, which a number on one unbounded line never needs."""

    dictionaries: dict[Any, Any]

    def __init__(self) -> None:
        self.dictionaries = {}


def _length(style: Any, name: str) -> float | None:
    """A custom property's length in CSS pixels (pt, px, mm or em), or None."""
    try:
        tokens = style[name.replace("-", "_")]
    except KeyError:
        return None
    if not tokens or len(tokens) != 1 or getattr(tokens[0], "type", None) != "dimension":
        return None
    token = tokens[0]
    per_unit = {"px": 1.0, "pt": 1 / PX, "mm": 96 / 25.4, "em": float(style["font_size"])}
    factor = per_unit.get(token.unit.lower())
    return None if factor is None else float(token.value) * factor


def _leader(page: int, box: Any, dot: float, spacing: float, gap: float) -> Leader | None:
    """The leader of a block ``box``: from ``gap`` after the end of its last line's in-flow
    content (margins and padding included) to the end of its content box."""
    from weasyprint.formatting_structure.boxes import LineBox

    lines = [c for c in getattr(box, "children", ()) if isinstance(c, LineBox)]
    if not lines:
        return None
    line = lines[-1]
    content = [c for c in line.children if not c.is_absolutely_positioned()]
    end_of_text = max((c.position_x + c.margin_width() for c in content), default=None)
    if end_of_text is None:
        return None
    start = end_of_text + gap
    end = box.content_box_x() + box.width
    rgb = box.style["color"].to("srgb").coordinates
    baseline = line.position_y + line.baseline
    return Leader(
        page,
        start * PX,
        end * PX,
        (baseline - dot / 2) * PX,
        dot * PX,
        spacing * PX,
        (float(rgb[0]), float(rgb[1]), float(rgb[2])),
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    saved = logger.propagate
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


@dataclass(frozen=True)
class _Styles:
    fetcher: LocalFetcher
    fonts: FontConfiguration
    stylesheet: CSS
    warnings: tuple[str, ...]


# The parsed stylesheet and its fonts, kept by a process that lays out many units, and
# let go before the interpreter tears WeasyPrint down (its fonts clean up after them).
_parsed: dict[tuple[Path, Path, str], _Styles] = {}
atexit.register(_parsed.clear)


def _load_weasyprint() -> None:
    """Load WeasyPrint in this process (its first layout, or parse of the styles, does).

    WeasyPrint asks for each C library it uses under several names, Windows' and
    macOS' before Linux's sonames. For every name without a dot, cffi asks
    ``ctypes.util.find_library``, which on Linux runs ldconfig, the C compiler and the
    linker in turn: a third of a second of each layout process's start. While WeasyPrint
    loads, no name is looked up that way, so WeasyPrint goes on to the sonames, which
    the system's loader finds itself; only if that fails is it loaded the usual way."""
    if "weasyprint.text.ffi" in sys.modules:
        return
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:  # (WeasyPrint prints its installation advice before it gives up)
        with redirect_stdout(io.StringIO()):
            import weasyprint.text.ffi
    except OSError:
        pass  # loaded below, with find_library
    finally:
        ctypes.util.find_library = find_library
    import weasyprint  # noqa: F401


def _styles(manuscript: Path, styles: Path, version: str | None) -> _Styles:
    """The styles parsed, or taken from an earlier parse of the same ``version`` of them
    (a digest of the styles folder's files; ``None``: parse anew)."""
    _load_weasyprint()
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from presswork.fetch import LocalFetcher

    key = (manuscript, styles, version or "")
    if version is not None and key in _parsed:
        return _parsed[key]
    fetcher = LocalFetcher(manuscript, styles)
    fonts = FontConfiguration()
    with _weasyprint_warnings() as messages:
        stylesheet = CSS(filename=str(styles / "pdf.css"), url_fetcher=fetcher, font_config=fonts)
    parsed = _Styles(fetcher, fonts, stylesheet, tuple(messages))
    if version is not None:
        _parsed.clear()
        _parsed[key] = parsed
    return parsed


def parse_styles(manuscript: Path, styles: Path, version: str) -> None:
    """Parse the styles of ``version`` for later layouts of this process."""
    _styles(manuscript, styles, version)


def lay_out(html: str, manuscript: Path, styles: Path, version: str | None = None) -> Layout:
    parsed = _styles(manuscript, styles, version)
    from weasyprint import HTML

    with _weasyprint_warnings() as messages:
        document = HTML(
            string=html, base_url=str(manuscript) + "/", url_fetcher=parsed.fetcher
        ).render(stylesheets=[parsed.stylesheet], font_config=parsed.fonts)
    return Layout(document, parsed.warnings + tuple(messages))


def lay_out_book(book: Book, manuscript: Path, styles: Path) -> Layout:
    """Lay out the whole book as one document: the reference that the book laid out in
    units and joined (:mod:`presswork.units`, :mod:`presswork.join`) must equal."""
    return lay_out_with_notes(lambda widows: html.book_html(book, widows), manuscript, styles)


def lay_out_with_notes(
    render: Callable[[dict[str, int]], str],
    manuscript: Path,
    styles: Path,
    version: str | None = None,
) -> Layout:
    """Lay out the HTML that ``render`` writes for given widows settings so that every
    note sits on the page of its call.

    WeasyPrint may move a footnote to the next page to make room for the last line of a
    paragraph that its widows and orphans settings keep together. When that happens, the
    paragraph ending that page gets a higher ``widows`` value and the book is laid out
    again: a line more goes over, and the note stays with its call.
    """
    widows: dict[str, int] = {}
    text = render(widows)
    while True:
        layout = lay_out(text, manuscript, styles, version)
        changed = False
        for _, call_page, _ in layout.displaced_notes():
            culprit = layout.last_paragraph_on(call_page)
            if culprit is not None and widows.get(culprit, 2) < MAX_WIDOWS:
                widows[culprit] = widows.get(culprit, 2) + 1
                changed = True
        if not changed:
            return layout
        text = render(widows)


@contextmanager
def _source_date(date: datetime) -> Iterator[None]:
    """Where HarfBuzz's subsetter is missing, WeasyPrint subsets fonts with fontTools,
    which stamps each subset with the current time unless SOURCE_DATE_EPOCH is set."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(date.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def screen_pdf(layout: Layout, identifier: str, date: datetime) -> tuple[bytes, list[str]]:
    """The tagged PDF/UA-1 file, and what WeasyPrint warned about while writing it. Its
    streams are not compressed: WeasyPrint compresses at zlib's slowest level, a fifth of
    the time it takes to write a chapter; :func:`presswork.pdftags.finish`, which reads
    and saves the file anyway, compresses them at the default level."""
    with _weasyprint_warnings() as messages, _source_date(date):
        data: bytes = layout.document.write_pdf(
            pdf_variant="pdf/ua-1",
            pdf_identifier=identifier.encode("utf-8"),
            uncompressed_pdf=True,
        )
    return data, list(dict.fromkeys(messages))


def print_pdf(screen: bytes) -> bytes:
    """The screen PDF's pages with bleed, marks and the boxes a printer reads."""
    with pikepdf.open(io.BytesIO(screen)) as pdf:
        add_bleed_and_marks(pdf)
        return deterministic_bytes(pdf)


def add_bleed_and_marks(pdf: pikepdf.Pdf) -> None:
    """Turn the screen edition's pages, in place, into the print edition's: a bleed, crop
    marks outside it, and TrimBox and BleedBox set."""
    bleed = BLEED_MM * MM
    slug = SLUG_MM * MM
    registration = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Name.Separation,
                pikepdf.Name.All,
                pikepdf.Name.DeviceCMYK,
                pikepdf.Dictionary(
                    FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1
                ),
            ]
        )
    )
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
        page.obj.TrimBox = pikepdf.Array([x0, y0, x1, y1])
        page.obj.BleedBox = pikepdf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        page.obj.MediaBox = pikepdf.Array([x0 - slug, y0 - slug, x1 + slug, y1 + slug])
        if "/CropBox" in page.obj:
            del page.obj.CropBox
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            spaces = resources.ColorSpace = pikepdf.Dictionary()
        spaces["/PressworkRegistration"] = registration
        draw_over(pdf, page, _crop_marks(x0, y0, x1, y1))


def draw_over(pdf: pikepdf.Pdf, page: pikepdf.Page, content: bytes, dx: float = 0.0) -> None:
    """Add ``content`` to the page, drawn in the page's own coordinates once the content
    already there (moved ``dx`` points to the right) has restored the graphics state:
    WeasyPrint leaves its flip of the y axis in force at the end of a page."""
    move = f" 1 0 0 1 {dx:.4f} 0 cm" if dx else ""
    page.contents_add(pdf.make_stream(f"q{move}\n".encode()), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\n" + content), prepend=False)


def draw_leaders(pdf: pikepdf.Pdf, leaders: tuple[Leader, ...]) -> None:
    """Draw each leader on its page, after the page's own content, as an artifact: a
    dashed line of zero-length dashes with round caps, one dot per dash."""
    by_page: dict[int, list[Leader]] = {}
    for leader in leaders:
        by_page.setdefault(leader.page, []).append(leader)
    for index, page_leaders in sorted(by_page.items()):
        page = pdf.pages[index]
        left, _, _, top = (float(v) for v in page.obj.MediaBox)
        ops = ["/Artifact BMC", "q", "1 J"]
        for leader in page_leaders:
            centres = leader.centres()
            if centres is None:
                continue
            first, last = centres
            y = top - leader.y
            ops += [
                "{:.4f} {:.4f} {:.4f} RG".format(*leader.rgb),
                f"{leader.dot:.4f} w [0 {leader.spacing:.4f}] 0 d",
                # A quarter spacing past the last dot: rounding cannot lose it.
                f"{left + first:.4f} {y:.4f} m {left + last + leader.spacing / 4:.4f} {y:.4f} l S",
            ]
        ops += ["Q", "EMC", ""]
        draw_over(pdf, page, "\n".join(ops).encode("ascii"))


def deterministic_bytes(pdf: pikepdf.Pdf, pack: bool = False) -> bytes:
    """Save a PDF so that the same content always gives the same bytes (its /ID is
    derived from the content, not from the clock); with ``pack``, every object that can
    goes into a compressed object stream, else objects stay as they were."""
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=(
            pikepdf.ObjectStreamMode.generate if pack else pikepdf.ObjectStreamMode.preserve
        ),
    )
    return out.getvalue()


def _crop_marks(x0: float, y0: float, x1: float, y1: float) -> bytes:
    """PDF operators drawing the eight crop marks as an untagged artifact."""
    offset, length = MARK_OFFSET_MM * MM, MARK_LENGTH_MM * MM
    segments = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            # horizontal mark on the line of the trim's horizontal edge
            segments.append((x + sx * offset, y, x + sx * (offset + length), y))
            # vertical mark on the line of the trim's vertical edge
            segments.append((x, y + sy * offset, x, y + sy * (offset + length)))
    lines = [f"{ax:.3f} {ay:.3f} m {bx:.3f} {by:.3f} l" for ax, ay, bx, by in segments]
    ops = [
        "/Artifact BMC",
        "q",
        "/PressworkRegistration CS 1 SCN",
        f"{MARK_WIDTH_PT} w 0 J",
        *lines,
        "S",
        "Q",
        "EMC",
        "",
    ]
    return "\n".join(ops).encode("ascii")
