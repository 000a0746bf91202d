"""Write the book as HTML documents for WeasyPrint to lay out.

In: a resolved :class:`~presswork.model.Book`. Out: HTML text, either of the whole book
as one document (:func:`book_html`) or of the units it is laid out in and joined from:
the front matter (:func:`front_html`), each chapter (:func:`chapter_html`) and the
furniture, the running heads and folios of every page (:func:`furniture_html`). Every
element a reader can link to has an id unique in the whole book (:mod:`presswork.ids`);
a link to another unit's element is written ``presswork-xref:ID``, which the join turns
into a link inside the PDF. Notes sit where they are called (WeasyPrint floats them to
the foot of the page).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from presswork import __version__, ids
from presswork.model import (
    Anchor,
    Book,
    Chapter,
    Figure,
    Inline,
    Metadata,
    Note,
    NoteRef,
    Paragraph,
    SoftBreak,
    Text,
    Wrapper,
    plain_text,
)
from presswork.render import markup
from presswork.styles import production, styles_dir
from presswork.transforms import long_notes, words

WIDOWS_CLASS = "widows-"  # pdf.css's .widows-N: a paragraph's widows raised to N
# A hyphen of the text between two letters or digits (Korean-style, Covid-19), which
# the PDF ties to what follows with a word joiner: only a hyphen the layout adds ends a
# line, and a viewer that joins a line ending in a hyphen to the next joins only words
# broken by the layout. The joiner is invisible and is not in the PDF's text.
COMPOUND_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"  # ties a paragraph's last two words
# Ends the text of a paragraph (after its last word), so that the layout knows the run of
# text it would break there for the paragraph's last, and keeps it whole
# (:mod:`presswork.layout.hyphenation`). A word joiner: invisible, and not in the text.
PARAGRAPH_END = WORD_JOINER
# The date the units of the layout are written with, so that their layout, and the
# cache's key of it, does not change with the book's date; the join writes the book's.
UNIT_DATE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Refinements:
    """What a layout asks of the HTML it lays out again (see
    :func:`presswork.layout.engine.layout_refined`), by paragraph id: a raised widows
    setting, to keep a note on its call's page; the words (numbered as
    :mod:`presswork.transforms.words` counts them) kept whole rather than hyphenated,
    at a page's end or in a third hyphenated line running."""

    widows: Mapping[str, int] = field(default_factory=dict)
    whole: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.widows or self.whole)


@dataclass(frozen=True)
class Unbroken:
    """Words the PDF keeps on one line and whole (rendered ``<span class="unbroken">``),
    and the space before them, where the line may break (rendered in a ``<span
    class="tie">`` around the two: where a text ends in a space just before an inline
    element, WeasyPrint 70 measures the line with that space, finds it a hair too wide
    while Pango finds that it fits, and breaks after the line's first word, leaving
    "It" alone on a line or the words after it spaced out across the measure)."""

    children: tuple[Any, ...]
    space: str = ""
    kind: str = field(default="unbroken", init=False)


@dataclass(frozen=True)
class PdfLinks:
    """Ids and hrefs of the single-document PDF edition, and the :class:`Refinements`
    its layout asked for."""

    notes: dict[tuple[str, int], Note]
    refinements: Refinements
    root: Path  # the manuscript folder
    # The chapters in this document (``None``: all of them), and the page numbers of
    # elements in other documents, which a contents laid out alone prints.
    local: frozenset[str] | None = None
    folios: dict[str, str] | None = None
    # A paragraph's last two words are tied up to this many characters (production.toml),
    # read once for the document, not for each paragraph.
    tie_characters: int = field(default_factory=lambda: production(styles_dir()).tie_characters)
    # A note is continued after its chapter beyond this many characters (production.toml).
    continued_over: int = field(default_factory=lambda: production(styles_dir()).continued_over)
    continued_lead: int = field(default_factory=lambda: production(styles_dir()).continued_lead)
    page_markers = False  # the PDF is the pages: it marks none
    rewrites_text = True  # text() ties compounds' hyphens

    def text(self, text: str) -> str:
        """Text as the PDF sets it: its compounds' hyphens tied to what follows."""
        return COMPOUND_HYPHEN.sub("-" + WORD_JOINER, text) if "-" in text else text

    def href(self, anchor: Anchor) -> str:
        target = ids.pdf_anchor(anchor)
        if self.local is None or anchor.chapter in self.local:
            return f"#{target}"
        return f"{ids.XREF_SCHEME}{target}"

    def folio(self, anchor: Anchor) -> str | None:
        return None if self.folios is None else self.folios[ids.pdf_anchor(anchor)]

    def heading_id(self, chapter: Chapter, heading_id: str) -> str:
        return ids.in_book(chapter.id, heading_id)

    def block_id(self, chapter: Chapter, block_id: str) -> str:
        return ids.in_book(chapter.id, ids.own(block_id))

    def block_class(self, chapter: Chapter, block_id: str) -> str:
        widows = self.refinements.widows.get(self.block_id(chapter, block_id))
        return f"{WIDOWS_CLASS}{widows}" if widows else ""

    def paragraph(self, chapter: Chapter, paragraph: Paragraph) -> tuple[Inline | Unbroken, ...]:
        """A paragraph's content as the PDF sets it: its last two words kept on one line
        and whole (a paragraph never ends on a lone word, nor on the end of a hyphenated
        one), and the words its layout asked to keep whole."""
        return self._set(self.block_id(chapter, paragraph.id), paragraph.children)

    def continued(self, note: Note) -> long_notes.Continued | None:
        """How the PDF sets a note: whole at the foot of its page (``None``), or its lead
        there and its rest after the chapter's last paragraph."""
        return long_notes.continued(note, self.continued_over, self.continued_lead)

    def rests(self, chapter: Chapter) -> list[tuple[Note, long_notes.Continued]]:
        """The chapter's continued notes, in order, with their rests."""
        found = ((note, self.continued(note)) for note in chapter.notes)
        return [(note, rest) for note, rest in found if rest is not None]

    def first_call_of(self, chapter_id: str, note: Note) -> str:
        return ids.pdf_call(chapter_id, note.number)

    def rest_id(self, chapter_id: str, note: Note) -> str:
        return ids.in_book(chapter_id, ids.note_rest(note.number))

    def part_id(self, chapter_id: str, note: Note, part: long_notes.Part) -> str:
        return ids.in_book(chapter_id, ids.note_part(note.number, part.paragraph, part.word))

    def part(self, chapter_id: str, note: Note, part: long_notes.Part) -> tuple[Any, ...]:
        """A paragraph of a continued note's rest as the PDF sets it, as
        :meth:`paragraph` sets the chapter's paragraphs."""
        assert isinstance(part.block, Paragraph), "a note's rest holds paragraphs"
        return self._set(self.part_id(chapter_id, note, part), part.block.children)

    def _set(self, key: str, children: tuple[Inline, ...]) -> tuple[Inline | Unbroken, ...]:
        whole = self.refinements.whole.get(key, frozenset())

        def edit(index: int, space: str, word: str) -> list[Inline | Unbroken]:
            return [Unbroken((Text(word),), space)] if index in whole else [Text(space + word)]

        if whole:
            children = words.rewrite_words(children, edit)
        return _last_two_unbroken(children, self.tie_characters)

    def note_id(self, ref: NoteRef) -> str:
        return ids.pdf_note(ref.chapter, ref.number)

    def image_src(self, figure: Figure) -> str:
        """The image's path from the manuscript folder (WeasyPrint's base URL), so that
        the HTML, and the cache's key of it, do not depend on where the folder is."""
        assert figure.path is not None, "a book with a missing image is never rendered"
        return quote(figure.path.relative_to(self.root).as_posix())

    def call_id(self, ref: NoteRef) -> str:
        return ids.pdf_call(ref.chapter, ref.number, ref.call)

    def note(self, ref: NoteRef) -> Note:
        return self.notes[(ref.chapter, ref.number)]


_LETTER = re.compile(r"[^\W\d_]")
TIED_WORDS = 3  # the most words of a link or emphasis tied whole to what ends a paragraph
# The spaces that may stand before words kept whole (see Unbroken).
_SPACES = " \t\n"


def _last_two(text: str) -> tuple[int, str] | None:
    """Where the last two words of ``text`` begin (the last alone where the one before is
    not on the same line of the source), and the first of the two with the spaces after
    it ("" where there is one); ``None`` for a text of spaces. Read from the end: a
    regular expression anchored at the end tries every position of a long paragraph."""
    end = len(text.rstrip())
    if end == 0:
        return None
    last = end
    while last > 0 and not text[last - 1].isspace():
        last -= 1
    gap = last
    while gap > 0 and text[gap - 1] in " \t":
        gap -= 1
    if gap == last or gap == 0 or text[gap - 1].isspace():
        return last, ""
    first = gap
    while first > 0 and not text[first - 1].isspace():
        first -= 1
    return first, text[first:last]


def _last_two_unbroken(children: tuple[Any, ...], limit: int) -> tuple[Any, ...]:
    """``children`` with the last two words of their last text kept together and whole:
    tied by a no-break space where the two are no longer than ``limit`` characters
    (``tie_characters`` of ``styles/production.toml``; a long pair would leave the line
    before it loose), and the text ended by :data:`PARAGRAPH_END`, which tells the
    layout not to break a word of the run it ends (the pair, or the last word alone).
    Where that text is only the end of a word that an inline node before it holds
    (``(see <a>China entry</a>).``), that node goes with it in a span
    (:class:`Unbroken`), if it is short; the space before the span goes with it.

    A span for every paragraph would do the same, but each inline span of a paragraph
    makes WeasyPrint lay the lines before it out again: at the end of every paragraph
    that was a fifth of a chapter's layout."""
    for index in range(len(children) - 1, -1, -1):
        node = children[index]
        if isinstance(node, Text):
            found = _last_two(node.text)
            if found is None:
                continue
            begin, first_word = found
            tail = node.text[begin:].rstrip()
            after = node.text[begin + len(tail) :]
            before = children[index - 1] if index else None
            if (
                begin == 0
                and not _LETTER.search(tail)
                and isinstance(before, Wrapper)
                and len(plain_text(before.children).split()) <= TIED_WORDS
            ):
                head, space = _split_space(children[: index - 1])
                tied = Unbroken((before, Text(tail)), space)
                rest = (Text(after),) if after else ()
                return (*head, tied, *rest, *children[index + 1 :])
            kept = node.text[: begin + len(tail)]
            if first_word and len(tail) <= limit:
                end = begin + len(first_word)
                kept = node.text[:begin] + first_word.rstrip() + NO_BREAK_SPACE + kept[end:]
            ended = Text(kept + PARAGRAPH_END + after)
            return (*children[:index], ended, *children[index + 1 :])
        if isinstance(node, Wrapper):
            inner = _last_two_unbroken(node.children, limit)
            if inner != node.children:
                return (*children[:index], replace(node, children=inner), *children[index + 1 :])
        if isinstance(node, Unbroken):
            return children
    return children


def _split_space(children: tuple[Any, ...]) -> tuple[tuple[Any, ...], str]:
    """``children`` without the space that ends them (a text's spaces, or a line break of
    the source), and that space."""
    last = children[-1] if children else None
    if isinstance(last, SoftBreak):
        return children[:-1], " "
    if not isinstance(last, Text) or last.text.rstrip(_SPACES) == last.text:
        return children, ""
    kept = last.text.rstrip(_SPACES)
    head = (*children[:-1], Text(kept)) if kept else children[:-1]
    return head, last.text[len(kept) :]


def link_descriptions(book: Book) -> dict[str, str]:
    """What a link to each element of the PDF's HTML says to a screen reader (its
    annotation's ``/Contents``), by id: a chapter's or section's title and the page it
    is on (``{page}``, filled in once the pages are known), a note's number."""
    words = markup.labels(book.metadata.language)
    descriptions = {}
    for chapter in book.chapters:
        on_page = f", {words['page']} {{page}}"
        descriptions[chapter.id] = _literal(chapter.plain_title) + on_page
        for heading in chapter.sections:
            descriptions[ids.in_book(chapter.id, heading.id)] = _literal(heading.plain) + on_page
        for note in chapter.notes:
            descriptions[ids.pdf_note(chapter.id, note.number)] = f"{words['note']} {note.number}"
            # A note the PDF continues after the chapter: its rest, and the way back.
            rest = f"{words['note']} {note.number} {words['continued_from']}{on_page}"
            descriptions[ids.in_book(chapter.id, ids.note_rest(note.number))] = rest
            back = f"{words['back_to_text']} {note.number}{on_page}"
            descriptions[ids.pdf_call(chapter.id, note.number)] = back
    return descriptions


def _literal(text: str) -> str:
    """``text`` as a format string that gives itself back."""
    return " ".join(text.split()).replace("{", "{{").replace("}", "}}")


def book_html(book: Book, refinements: Refinements | None = None) -> str:
    """The whole book as one document."""
    links = PdfLinks(_notes(book.chapters), refinements or Refinements(), book.root)
    return _render(book, book.chapters, links, True, date=book.metadata.modified)


def front_html(book: Book, folios: dict[str, str], refinements: Refinements | None = None) -> str:
    """The title page, imprint and contents; ``folios`` gives the page number of every
    element the contents lists."""
    links = PdfLinks({}, refinements or Refinements(), book.root, local=frozenset(), folios=folios)
    return _render(book, (), links, True)


def chapter_html(book: Book, chapter: Chapter, refinements: Refinements | None = None) -> str:
    """One chapter, on pages without running heads or folios: made of what
    :func:`chapter_key` names, and nothing else of ``book``."""
    links = PdfLinks(
        _notes((chapter,)), refinements or Refinements(), book.root, local=frozenset({chapter.id})
    )
    unit_book = replace(book, metadata=_unit_metadata(book.metadata), notices=())
    return _render(unit_book, (chapter,), links, False, bare=True)


def chapter_key(book: Book, chapter: Chapter) -> str:
    """All that :func:`chapter_html` reads, as text: the chapter, the book's metadata
    (but its date of change, which a chapter's HTML never holds) and, if it has figures,
    the folder their paths are made relative to. Equal keys give equal HTML from the same
    templates, and making the key costs a fifth of making the HTML."""
    root = book.root if chapter.figures else None
    return repr((_unit_metadata(book.metadata), chapter, root))


def _unit_metadata(meta: Metadata) -> Metadata:
    return replace(meta, modified=UNIT_DATE)


def furniture_html(
    book: Book, first: int, pages: tuple[int, ...], blanks: tuple[int, ...] = ()
) -> str:
    """Empty pages carrying the running heads and folios of the book's chapters, as many
    for each as ``pages`` gives, after the ``blanks`` before each (pages that carry
    nothing), numbered from ``first``."""
    blanks = blanks or (0,) * len(pages)
    return markup.render(
        "pdf/furniture.html.j2",
        meta=book.metadata,
        first=first,
        left=first % 2 == 0,
        chapters=tuple(zip(book.chapters, pages, blanks, strict=True)),
    )


def _notes(chapters: tuple[Chapter, ...]) -> dict[tuple[str, int], Note]:
    return {(chapter.id, note.number): note for chapter in chapters for note in chapter.notes}


def _render(
    book: Book,
    chapters: tuple[Chapter, ...],
    links: PdfLinks,
    front: bool,
    bare: bool = False,
    date: datetime = UNIT_DATE,
) -> str:
    meta = book.metadata
    return markup.render(
        "pdf/book.html.j2",
        meta=meta,
        subject=meta.description or "; ".join(meta.subjects),
        date=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=__version__,
        labels=markup.labels(meta.language),
        notices=book.notices,
        toc=book.toc() if front else (),
        front=front,
        bare=bare,
        chapters=chapters,
        links=links,
    )
