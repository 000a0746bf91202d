"""Write the book as one HTML document for WeasyPrint to lay out.

In: a resolved :class:`~presswork.model.Book`. Out: HTML text in which every element a
reader can link to has an id unique in the whole book: ``chapter``, ``chapter--heading``
for what the manuscript names, and ids starting with ``_`` for what presswork adds
(``chapter--_p3``, ``chapter--_note-1``, ``_contents``), which no typed id can take.
Notes sit where they are called (WeasyPrint floats them to the foot of the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presswork import __version__, markup
from presswork.model import Anchor, Book, Chapter, Figure, Note, NoteRef

NOTE_ID = re.compile(r"^(?P<chapter>.+)--_note-(?P<number>\d+)$")
PARAGRAPH_ID = re.compile(r"^.+--_p\d+$")


@dataclass(frozen=True)
class PdfLinks:
    """Ids and hrefs of the single-document PDF edition. ``widows`` raises the widows
    setting of some paragraphs (by element id), see :func:`presswork.pdf.lay_out_book`."""

    notes: dict[tuple[str, int], Note]
    widows: dict[str, int]
    page_markers = False  # the PDF is the pages: it marks none

    def href(self, anchor: Anchor) -> str:
        if anchor.fragment is None:
            return f"#{anchor.chapter}"
        return f"#{anchor.chapter}--{anchor.fragment}"

    def heading_id(self, chapter: Chapter, heading_id: str) -> str:
        return f"{chapter.id}--{heading_id}"

    def block_id(self, chapter: Chapter, block_id: str) -> str:
        return f"{chapter.id}--_{block_id}"

    def block_class(self, chapter: Chapter, block_id: str) -> str:
        widows = self.widows.get(self.block_id(chapter, block_id))
        return f"widows-{widows}" if widows else ""

    def note_id(self, ref: NoteRef) -> str:
        return f"{ref.chapter}--_note-{ref.number}"

    def image_src(self, figure: Figure) -> str:
        assert figure.path is not None, "a book with a missing image is never rendered"
        return figure.path.as_uri()

    def call_id(self, ref: NoteRef) -> str:
        suffix = "" if ref.call == 1 else f"-{ref.call}"
        return f"{ref.chapter}--_noteref-{ref.number}{suffix}"

    def note(self, ref: NoteRef) -> Note:
        return self.notes[(ref.chapter, ref.number)]


def anchor_map(book: Book) -> dict[str, tuple[str, str | None]]:
    """Each id of the PDF's HTML that a page can begin with: (chapter id, the element's
    id in the chapter, or ``None`` for the chapter's opening)."""
    anchors: dict[str, tuple[str, str | None]] = {}
    for chapter in book.chapters:
        anchors[chapter.id] = (chapter.id, None)
        for block in chapter.sections:
            anchors[f"{chapter.id}--{block.id}"] = (chapter.id, block.id)
        for paragraph_id in chapter.block_ids():
            anchors[f"{chapter.id}--_{paragraph_id}"] = (chapter.id, paragraph_id)
    return anchors


def book_html(book: Book, widows: dict[str, int] | None = None) -> str:
    notes = {(chapter.id, note.number): note for chapter in book.chapters for note in chapter.notes}
    meta = book.metadata
    return markup.render(
        "pdf/book.html.j2",
        meta=meta,
        subject=meta.description or "; ".join(meta.subjects),
        date=meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=__version__,
        labels=markup.labels(meta.language),
        notices=book.notices,
        toc=book.toc(),
        chapters=book.chapters,
        links=PdfLinks(notes, widows or {}),
    )
