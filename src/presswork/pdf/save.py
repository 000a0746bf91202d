"""Save a PDF so that the same content always gives the same bytes, and draw over pages.

In: a :class:`pikepdf.Pdf`. Out: its bytes, with every stream compressed, an ``/ID``
derived from the content rather than the clock and, when asked, its objects packed into
object streams and a given PDF version (:func:`deterministic_bytes`); and pages with
content added over what WeasyPrint drew (:func:`draw_over`).
"""

from __future__ import annotations

import io

import pikepdf


def draw_over(
    pdf: pikepdf.Pdf, page: pikepdf.Page, content: bytes, dx: float = 0.0, dy: float = 0.0
) -> None:
    """Add ``content`` to the page, drawn in the page's own coordinates once the content
    already there (moved ``dx`` points to the right and ``dy`` up) has restored the
    graphics state: WeasyPrint leaves its flip of the y axis in force at the end of a
    page."""
    move = f" 1 0 0 1 {dx:.4f} {dy:.4f} cm" if dx or dy else ""
    page.contents_add(pdf.make_stream(f"q{move}\n".encode()), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\n" + content), prepend=False)


def deterministic_bytes(pdf: pikepdf.Pdf, pack: bool = False, version: str = "") -> bytes:
    """Save a PDF so that the same content always gives the same bytes (its /ID is
    derived from the content, not from the clock); with ``pack``, every object that can
    goes into a compressed object stream, else objects stay as they were; with
    ``version``, as that version of PDF."""
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=(
            pikepdf.ObjectStreamMode.generate if pack else pikepdf.ObjectStreamMode.preserve
        ),
        force_version=version,
    )
    return out.getvalue()
