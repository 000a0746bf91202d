"""The book model: one immutable tree that every edition is rendered from.

In: nothing (these are the types). Out: :class:`Book` and its parts. The manuscript
stage builds these objects, the transforms return new ones, and the renderers only read
them. Every block and note keeps the :class:`Source` position the editor typed it at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """Where something was typed: file, line and, where it is known, column (from 1)."""

    path: Path
    line: int
    col: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# Image formats every edition can carry (ePub core media types WeasyPrint also reads).
IMAGE_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


# Inline content ---------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    kind: str = field(default="text", init=False)


@dataclass(frozen=True)
class SoftBreak:
    kind: str = field(default="softbreak", init=False)


@dataclass(frozen=True)
class HardBreak:
    kind: str = field(default="hardbreak", init=False)


@dataclass(frozen=True)
class Code:
    text: str
    kind: str = field(default="code", init=False)


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]
    kind: str = field(default="emphasis", init=False)


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]
    kind: str = field(default="strong", init=False)


@dataclass(frozen=True)
class Anchor:
    """A place in the book: a chapter, and optionally an element id inside it."""

    chapter: str
    fragment: str | None = None


@dataclass(frozen=True)
class Link:
    """A link. ``href`` is as typed; exactly one of ``url`` / ``anchor`` is set once
    links are resolved. An unresolved cross-reference has neither: it renders as text."""

    href: str
    children: tuple[Inline, ...]
    source: Source
    title: str | None = None
    url: str | None = None
    anchor: Anchor | None = None
    kind: str = field(default="link", init=False)


@dataclass(frozen=True)
class NoteRef:
    """A footnote call. ``chapter`` (the id of the chapter it is in), ``number`` and
    ``call`` (1 for the first call of that note, 2 for the second…) are set by the
    note-numbering transform."""

    label: str
    source: Source
    chapter: str = ""
    number: int = 0
    call: int = 0
    kind: str = field(default="noteref", init=False)


@dataclass(frozen=True)
class PageBreak:
    """Where page ``label`` of the print edition begins: inside a paragraph's text, or
    between blocks. Only the ePub shows it (as a page-break marker)."""

    label: str
    kind: str = field(default="pagebreak", init=False)


@dataclass(frozen=True)
class PageStart:
    """Where a page of the PDF begins: page ``folio`` begins at the element ``anchor``
    (an id of the PDF's HTML), after ``words`` of its words set on earlier pages."""

    folio: str
    anchor: str
    words: int


Inline = Text | SoftBreak | HardBreak | Code | Emphasis | Strong | Link | NoteRef | PageBreak


# Blocks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``id`` (``p1``, ``p2``… in reading order, unique in its chapter) is
    set by the block-id transform."""

    children: tuple[Inline, ...]
    source: Source
    id: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    children: tuple[Inline, ...]
    source: Source
    kind: str = field(default="heading", init=False)

    @property
    def plain(self) -> str:
        return plain_text(self.children)


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]
    source: Source
    kind: str = field(default="list", init=False)


@dataclass(frozen=True)
class Quote:
    children: tuple[Block, ...]
    source: Source
    kind: str = field(default="quote", init=False)


@dataclass(frozen=True)
class CodeBlock:
    text: str
    source: Source
    kind: str = field(default="codeblock", init=False)


@dataclass(frozen=True)
class Rule:
    source: Source
    kind: str = field(default="rule", init=False)


@dataclass(frozen=True)
class Summary:
    """The entry's opening summary, set apart in every edition."""

    children: tuple[Block, ...]
    source: Source
    kind: str = field(default="summary", init=False)


@dataclass(frozen=True)
class Figure:
    """An image standing alone in its paragraph: ``src`` as typed, ``path`` the file it
    names inside the manuscript folder (``None`` when it could not be found), ``alt`` its
    text alternative and ``caption`` the image's title, if any. ``id`` is set with the
    paragraphs' ids."""

    src: str
    path: Path | None
    alt: str
    caption: str | None
    source: Source
    id: str = ""
    kind: str = field(default="figure", init=False)


Block = Paragraph | Heading | ListBlock | Quote | CodeBlock | Rule | Summary | Figure | PageBreak


# Notes, chapters, book -------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    label: str
    number: int
    children: tuple[Block, ...]
    source: Source
    calls: int = 1


@dataclass(frozen=True)
class TocEntry:
    """A line of the contents, with the entries nested under it."""

    level: int
    title: tuple[Inline, ...]
    anchor: Anchor
    children: tuple[TocEntry, ...] = ()

    @property
    def plain(self) -> str:
        return plain_text(self.title)


@dataclass(frozen=True)
class Chapter:
    id: str
    source: Source
    title: tuple[Inline, ...]
    running_head: str
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()
    opening_pages: tuple[PageBreak, ...] = ()  # where it opens (after blank pages before it)

    @property
    def plain_title(self) -> str:
        return plain_text(self.title)

    @property
    def sections(self) -> tuple[Heading, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Heading) and b.level > 1)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(_figures(self.blocks))

    def note_page_breaks(self) -> tuple[PageBreak, ...]:
        """The page breaks in the chapter's notes (where the PDF continues a long note
        after the chapter's last paragraph), in reading order."""
        return tuple(
            node
            for note in self.notes
            for block in walk_block_tree(note.children)
            if isinstance(block, Paragraph)
            for node in walk_inlines(block.children)
            if isinstance(node, PageBreak)
        )

    def block_ids(self) -> tuple[str, ...]:
        """The ids of the chapter's paragraphs and figures, in reading order."""
        return tuple(
            b.id for b in walk_block_tree(self.blocks) if isinstance(b, Paragraph | Figure) and b.id
        )


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    identifier: str
    slug: str
    modified: datetime
    print_identifier: str
    subtitle: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()  # else the publisher is the book's author
    description: str | None = None
    subjects: tuple[str, ...] = ()
    rights: str | None = None
    date: str = ""  # of publication: YYYY, YYYY-MM or YYYY-MM-DD
    page_size: str = "A4"
    toc_depth: int = 2
    chapter_start: str = "any"  # "right": each chapter opens on a right-hand page
    signature: int = 1  # the print edition's page count is a multiple of it

    @property
    def creators(self) -> tuple[str, ...]:
        """Who the book is by: its authors, or else its publisher (a report's author)."""
        return self.authors or ((self.publisher,) if self.publisher else ())

    def print_pages(self, pages: int) -> int:
        """The print edition's page count: the book's ``pages``, and blank pages up to a
        multiple of the signature."""
        return -(-pages // self.signature) * self.signature


@dataclass(frozen=True)
class Book:
    metadata: Metadata
    notices: tuple[tuple[Inline, ...], ...]
    chapters: tuple[Chapter, ...]
    root: Path
    # The pages each part of the front matter runs over (a report's contents, many).
    front_pages: dict[str, tuple[PageBreak, ...]] = field(default_factory=dict)

    def page_breaks(self) -> Iterator[tuple[str, PageBreak]]:
        """Every page break, with the chapter id it is in ('' for the front matter)."""
        for pages in self.front_pages.values():
            for page in pages:
                yield "", page
        for chapter in self.chapters:
            for page in chapter.opening_pages:
                yield chapter.id, page
            for block in walk_block_tree(chapter.blocks):
                if isinstance(block, PageBreak):
                    yield chapter.id, block
                elif isinstance(block, Paragraph | Heading):
                    for node in walk_inlines(block.children):
                        if isinstance(node, PageBreak):
                            yield chapter.id, node
            for page in chapter.note_page_breaks():
                yield chapter.id, page

    def toc(self) -> tuple[TocEntry, ...]:
        """Chapters, each with its headings nested down to the book's ``toc_depth``."""
        return tuple(
            TocEntry(
                1,
                chapter.title,
                Anchor(chapter.id),
                _nest(chapter, chapter.sections, 2, self.metadata.toc_depth),
            )
            for chapter in self.chapters
        )


def _nest(
    chapter: Chapter, headings: tuple[Heading, ...], level: int, depth: int
) -> tuple[TocEntry, ...]:
    if level > depth:
        return ()
    entries: list[TocEntry] = []
    for index, heading in enumerate(headings):
        if heading.level != level:
            continue
        below: list[Heading] = []
        for later in headings[index + 1 :]:
            if later.level <= level:
                break
            below.append(later)
        entries.append(
            TocEntry(
                level,
                heading.children,
                Anchor(chapter.id, heading.id),
                _nest(chapter, tuple(below), level + 1, depth),
            )
        )
    return tuple(entries)


def walk_block_tree(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, those inside quotes, summaries and lists too, in reading order."""
    for block in blocks:
        yield block
        if isinstance(block, Quote | Summary):
            yield from walk_block_tree(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_block_tree(item)


def walk_inlines(children: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline node, those inside emphasis and links too, in reading order."""
    for child in children:
        yield child
        if isinstance(child, Emphasis | Strong | Link):
            yield from walk_inlines(child.children)


def _figures(blocks: tuple[Block, ...]) -> list[Figure]:
    found: list[Figure] = []
    for block in blocks:
        if isinstance(block, Figure):
            found.append(block)
        elif isinstance(block, Quote | Summary):
            found.extend(_figures(block.children))
        elif isinstance(block, ListBlock):
            for item in block.items:
                found.extend(_figures(item))
    return found


def plain_text(children: tuple[Inline, ...]) -> str:
    """The words of inline content, without notes or markup."""
    parts: list[str] = []
    for node in children:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, SoftBreak | HardBreak):
            parts.append(" ")
        elif isinstance(node, Emphasis | Strong | Link):
            parts.append(plain_text(node.children))
    return "".join(parts)


def note_characters(note: Note) -> int:
    """How long a note is: the characters of its paragraphs' and headings' text, one
    between each two (what :mod:`presswork.transforms.long_notes` measures)."""
    blocks = walk_block_tree(note.children)
    texts = (plain_text(b.children) for b in blocks if isinstance(b, Paragraph | Heading))
    return len(" ".join(texts))
