"""The print edition: the screen edition's pages on a sheet with bleed and crop marks.

In: the screen edition (its bytes, or the joined document itself) and the print sheet of
``styles/production.toml`` (:class:`~presswork.styles.PrintSheet`). Out: the same pages,
not laid out again, each with a TrimBox at the page's edges, a BleedBox the bleed beyond
it, crop marks outside the bleed in the registration colour (``/Separation /All``), and a
MediaBox taking in the marks, as a printer expects.
"""

from __future__ import annotations

import io

import pikepdf

from presswork.lengths import MM
from presswork.pdf.save import deterministic_bytes, draw_over
from presswork.styles import PrintSheet


def print_pdf(screen: bytes, sheet: PrintSheet) -> bytes:
    """The screen PDF's pages with bleed, marks and the boxes a printer reads."""
    with pikepdf.open(io.BytesIO(screen)) as pdf:
        add_bleed_and_marks(pdf, sheet)
        return deterministic_bytes(pdf)


def add_bleed_and_marks(pdf: pikepdf.Pdf, sheet: PrintSheet) -> None:
    """Turn the screen edition's pages, in place, into the print edition's: a bleed, crop
    marks outside it, and TrimBox and BleedBox set."""
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
        draw_over(pdf, page, _crop_marks(x0, y0, x1, y1, sheet))


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
        "/PressworkRegistration CS 1 SCN",
        f"{sheet.mark_width_pt} w 0 J",
        *lines,
        "S",
        "Q",
        "EMC",
        "",
    ]
    return "\n".join(ops).encode("ascii")
