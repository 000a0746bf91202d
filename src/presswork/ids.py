"""The ids of the book, in one place: those an author types and those the editions give.

In: chapter ids, heading ids, block numbers, note numbers, page labels. Out: the ids of
the elements in the PDF's HTML and the ePub's XHTML, and the patterns that read them back
from a laid-out or written PDF. Every other module builds and reads ids through this one.

- **Typed**: a chapter's id is lower-case words of letters and digits joined by single
  hyphens (``north-korea``, default: from its file name); a heading's id starts with a
  letter (``{#freedom-of-expression}``, default: made from its words).
- **Given by presswork**: ids starting with ``_``, which no typed id can take, so the two
  never collide: paragraphs and figures ``_p3``, notes ``_note-1``, their calls
  ``_noteref-1`` (a second call ``_noteref-1-2``), the rest of a note the PDF continues
  after its chapter ``_note-1-continued`` and its paragraphs ``_note-1-p2`` (from the
  14th word of the note's second paragraph: ``_note-1-p2-w13``), print pages
  ``_page-7``, and the front matter's ``_title-page``, ``_imprint``, ``_contents``.
- **In the PDF's HTML**, one document for the whole book, every id of a chapter is
  prefixed with the chapter's: ``north-korea``, ``north-korea--freedom-of-expression``,
  ``north-korea--_p3``, ``north-korea--_note-1``. A link to an element of another unit of
  the layout is written ``presswork-xref:ID``; the join makes it a link inside the PDF.
- **In the ePub**, one document per chapter, ids are the chapter's own (``_p3``,
  ``_note-1``, ``freedom-of-expression``), in ``text/CHAPTER.xhtml``.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from presswork.model import Anchor, Book

CHAPTER = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # matched whole (fullmatch)
TYPED = r"[A-Za-z][A-Za-z0-9_-]*"  # a heading id as typed after ``{#``
DEFAULT_HEADING = "section"  # the id of a heading without words
SEPARATOR = "--"  # between a chapter's id and an element's, in the PDF's HTML
XREF_SCHEME = "presswork-xref:"

# The front matter and the ePub's own documents: fixed ids, used by the templates too.
FIXED = SimpleNamespace(
    title_page="_title-page",
    imprint="_imprint",
    contents="_contents",
    contents_title="_contents-title",
    chapter_title="_title",
    toc="_toc",
    toc_title="_toc-title",
    landmarks="_landmarks",
    landmarks_title="_landmarks-title",
    page_list="_page-list",
    page_list_title="_page-list-title",
)
# The pages of the front matter by the ids a page of the PDF's front matter begins with.
FRONT_MATTER_PAGES = {
    FIXED.title_page: "title-page",
    FIXED.imprint: "imprint",
    FIXED.contents: "contents",
    FIXED.contents_title: "contents",
}

PDF_NOTE = re.compile(rf"^(?P<chapter>.+){SEPARATOR}_note-(?P<number>\d+)$")
PDF_NOTE_PART = re.compile(
    rf"^(?P<chapter>.+){SEPARATOR}_note-(?P<number>\d+)-p(?P<paragraph>\d+)(?:-w(?P<word>\d+))?$"
)
PDF_CALL = re.compile(rf"^.+{SEPARATOR}_noteref-\d+(?:-\d+)?$")
PDF_BLOCK = re.compile(rf"^.+{SEPARATOR}_p\d+$")


def slugify(text: str, default: str = "book") -> str:
    """Lower-case words of letters and digits joined by hyphens (``default`` if none)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) or default


def numbered(base: str, n: int) -> str:
    """The ``n``-th id made from ``base`` (``base``, ``base-2``, ``base-3``…)."""
    return base if n == 1 else f"{base}-{n}"


def block(number: int) -> str:
    """The id of a chapter's ``number``-th paragraph or figure, in the model."""
    return f"p{number}"


def page(label: str) -> str:
    """The id of the marker where print page ``label`` begins (ePub)."""
    return f"_page-{label}"


# In a chapter's own document (the ePub) ------------------------------------------


def own(block_id: str) -> str:
    """A paragraph's or figure's id in its chapter's document."""
    return f"_{block_id}"


def note(number: int) -> str:
    return f"_note-{number}"


def note_rest(number: int) -> str:
    """Where the PDF continues note ``number``, after the chapter's last paragraph."""
    return f"_note-{number}-continued"


def note_part(number: int, paragraph: int, word: int = 0) -> str:
    """The id of a paragraph of a continued note's rest: the note's paragraph
    ``paragraph`` (from 1), from its word ``word`` (from 0) on."""
    return f"_note-{number}-p{paragraph}" + (f"-w{word}" if word else "")


def call(number: int, call: int = 1) -> str:
    """The id of the ``call``-th call of note ``number``."""
    return f"_noteref-{number}" if call == 1 else f"_noteref-{number}-{call}"


# In the PDF's HTML, one document for the whole book --------------------------------


def in_book(chapter_id: str, element_id: str) -> str:
    """An element of a chapter, by its id in the chapter's own document."""
    return f"{chapter_id}{SEPARATOR}{element_id}"


def pdf_anchor(anchor: Anchor) -> str:
    """The id of the element ``anchor`` points to, in the PDF's HTML."""
    if anchor.fragment is None:
        return anchor.chapter
    return in_book(anchor.chapter, anchor.fragment)


def pdf_note(chapter_id: str, number: int) -> str:
    return in_book(chapter_id, note(number))


def pdf_call(chapter_id: str, number: int, call_number: int = 1) -> str:
    return in_book(chapter_id, call(number, call_number))


def pdf_first_call(note_id: str) -> str | None:
    """The id of the first call of the note whose PDF id is ``note_id`` (None: not a
    note's)."""
    match = PDF_NOTE.match(note_id)
    if match is None:
        return None
    return pdf_call(match["chapter"], int(match["number"]))


def pdf_note_part(element_id: str) -> tuple[str, int, int, int] | None:
    """The chapter id, note number, paragraph and first word of a paragraph of a
    continued note's rest, from its PDF id (None: not one)."""
    match = PDF_NOTE_PART.match(element_id)
    if match is None:
        return None
    return match["chapter"], int(match["number"]), int(match["paragraph"]), int(match["word"] or 0)


def is_pdf_note(element_id: str) -> bool:
    return PDF_NOTE.match(element_id) is not None


def is_pdf_call(element_id: str) -> bool:
    return PDF_CALL.match(element_id) is not None


def is_pdf_block(element_id: str) -> bool:
    return PDF_BLOCK.match(element_id) is not None


def pdf_anchors(book: Book) -> dict[str, tuple[str, str | None]]:
    """Each id of the PDF's HTML that a page can begin with: (chapter id, the element's
    id in the model, or ``None`` for the chapter's opening)."""
    anchors: dict[str, tuple[str, str | None]] = {}
    for chapter in book.chapters:
        anchors[chapter.id] = (chapter.id, None)
        for heading in chapter.sections:
            anchors[in_book(chapter.id, heading.id)] = (chapter.id, heading.id)
        for block_id in chapter.block_ids():
            anchors[in_book(chapter.id, own(block_id))] = (chapter.id, block_id)
    return anchors


def contents_targets(book: Book) -> list[str]:
    """The ids of the PDF's HTML that the contents list a page number for."""
    targets = []
    for chapter in book.chapters:
        targets.append(chapter.id)
        targets += [in_book(chapter.id, h.id) for h in chapter.sections]
    return targets
