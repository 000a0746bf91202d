"""The print edition: the screen edition's pages as a printer takes them.

In: the screen edition (its bytes, or the joined document itself) and a
:class:`~presswork.editions.PrintOrder`: the print edition of ``styles/`` (the sheet
around each page, the printing condition and its inks), the book's signature and the
print edition's identifier. Out: a PDF/X-4 file of the same pages, not laid out again:

- blank pages at the end up to a multiple of the signature (the sheets a printer folds);
- every colour in the printing condition's process inks (:mod:`presswork.pdf.colour`);
- each page on a sheet whose MediaBox starts at 0,0 and takes in the crop marks, its
  TrimBox and BleedBox inside it, the same on every page; the content, destinations and
  figures' boxes moved with the trim;
- crop marks outside the bleed in the registration colour (``/Separation /All``);
- the output intent, PDF/X version and no annotation or action (:mod:`presswork.pdf.pdfx`).
"""

from __future__ import annotations

import io

import pikepdf

from presswork.editions import PrintOrder
from presswork.lengths import MM
from presswork.pdf.colour import Prepared, in_process_inks
from presswork.pdf.moves import move_references
from presswork.pdf.outlines import outline_dests, read_outline
from presswork.pdf.pdfx import PDF_VERSION, as_pdfx
from presswork.pdf.save import deterministic_bytes
from presswork.pdf.trees import kids, name_tree
from presswork.styles import PrintSheet

REGISTRATION = pikepdf.Name("/PressworkRegistration")


def print_pdf(screen: bytes, order: PrintOrder) -> bytes:
    """The print edition of a screen PDF."""
    with pikepdf.open(io.BytesIO(screen)) as pdf:
        make_print_edition(pdf, order)
        return print_bytes(pdf)


def print_bytes(pdf: pikepdf.Pdf) -> bytes:
    """The print edition saved: reproducible, as the PDF version PDF/X-4 is based on."""
    return deterministic_bytes(pdf, pack=True, version=PDF_VERSION)


def make_print_edition(pdf: pikepdf.Pdf, order: PrintOrder, prepared: Prepared = {}) -> None:  # noqa: B006
    """Turn the screen edition's pages, in place, into the print edition's, taking the
    content in inks ``prepared`` beforehand where there is some
    (:func:`presswork.pdf.colour.prepare_print`)."""
    pad_to_signature(pdf, order.signature)
    in_process_inks(pdf, order.edition, prepared)
    as_pdfx(pdf, order.edition.intent, order.document_id or _identifier(pdf))
    on_sheets(pdf, order.edition.sheet, order.figures)


def pad_to_signature(pdf: pikepdf.Pdf, signature: int) -> None:
    """Blank pages at the end, so that the page count divides by ``signature``."""
    if not len(pdf.pages):
        return
    width, height = page_size(pdf.pages[-1])
    while len(pdf.pages) % signature:
        pdf.add_blank_page(page_size=(width, height))


def on_sheets(pdf: pikepdf.Pdf, sheet: PrintSheet, figures: bool = True) -> None:
    """Set each page on a sheet: the trimmed page moved in from the sheet's origin by
    the slug, a bleed around it and crop marks outside that."""
    bleed = sheet.bleed_mm * MM
    slug = sheet.slug_mm * MM
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
    moved = {}
    # Pages of one size share the streams that move them and draw their marks.
    drawn: dict[tuple[float, ...], tuple[pikepdf.Stream, pikepdf.Stream]] = {}
    for page in pdf.pages:
        x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
        dx, dy = slug - x0, slug - y0
        width, height = x1 - x0, y1 - y0
        trim = (slug, slug, slug + width, slug + height)
        page.obj.MediaBox = pikepdf.Array([0, 0, width + 2 * slug, height + 2 * slug])
        page.obj.TrimBox = pikepdf.Array(trim)
        page.obj.BleedBox = pikepdf.Array(
            [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
        )
        if "/CropBox" in page.obj:
            del page.obj.CropBox
        resources = page.obj.get("/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            spaces = resources.ColorSpace = pikepdf.Dictionary()
        spaces[REGISTRATION] = registration
        key = (dx, dy, *trim)
        if key not in drawn:
            before = pdf.make_stream(f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm\n".encode())
            drawn[key] = (before, pdf.make_stream(b"\nQ\n" + _crop_marks(*trim, sheet)))
        before, after = drawn[key]
        page.contents_add(before, prepend=True)
        page.contents_add(after, prepend=False)
        moved[page.obj.objgen] = (dx, dy)
    dests = [dest for _, dest in name_tree(pdf.Root.Names.Dests)] if _has_dests(pdf) else []
    if "/Outlines" in pdf.Root:
        dests += outline_dests(read_outline(pdf.Root.Outlines))
    tree = pdf.Root.get("/StructTreeRoot")
    structure = kids(tree) if tree is not None and figures else []
    move_references(moved, pdf.pages, dests, structure, grown=2 * slug)


def _crop_marks(x0: float, y0: float, x1: float, y1: float, sheet: PrintSheet) -> bytes:
    """PDF operators drawing the eight crop marks as an untagged artifact."""
    offset, length = sheet.mark_offset_mm * MM, sheet.mark_length_mm * MM
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
        f"{REGISTRATION} CS 1 SCN",
        f"{sheet.mark_width_pt} w 0 J",
        *lines,
        "S",
        "Q",
        "EMC",
        "",
    ]
    return "\n".join(ops).encode("ascii")


def page_size(page: pikepdf.Page) -> tuple[float, float]:
    """A page's width and height, in points."""
    x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
    return x1 - x0, y1 - y0


def _has_dests(pdf: pikepdf.Pdf) -> bool:
    return "/Names" in pdf.Root and "/Dests" in pdf.Root.Names


def _identifier(pdf: pikepdf.Pdf) -> str:
    """The document's own identifier, where the book's is not given."""
    first = pdf.trailer.get("/ID", [b""])[0]
    return f"uuid:{bytes(first).hex()}"
