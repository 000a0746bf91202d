"""The book model's whole: chapters, the book's metadata, the book and its contents.

In: the blocks and inlines (:mod:`presswork.model.blocks`,
:mod:`presswork.model.inlines`). Out: :class:`Chapter`, :class:`Metadata`,
:class:`Book` and :class:`TocEntry`, a line of its contents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from presswork.model.blocks import (
    Block,
    Figure,
    Heading,
    Note,
    Paragraph,
    Table,
    figures_in,
    walk_block_tree,
)
from presswork.model.inlines import Anchor, Inline, PageBreak, Source, plain_text, walk_inlines


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
    def listed_sections(self) -> tuple[Heading, ...]:
        """The sections the contents lists."""
        return tuple(h for h in self.sections if h.listed)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(figures_in(self.blocks))

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
        """The ids of the chapter's paragraphs (its tables' cells among them), figures
        and tables, in reading order."""
        return tuple(
            b.id
            for b in walk_block_tree(self.blocks)
            if isinstance(b, Paragraph | Figure | Table) and b.id
        )


# What a contributor did, and its code in MARC's list of relators (the ePub's roles).
ROLES = {"author": "aut", "editor": "edt", "translator": "trl"}


@dataclass(frozen=True)
class Contributor:
    """Someone the book is by: ``role`` is one of :data:`ROLES`."""

    name: str
    role: str = "author"


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
    contributors: tuple[Contributor, ...] = ()  # without authors, the publisher is one
    description: str | None = None
    subjects: tuple[str, ...] = ()
    rights: str | None = None
    date: str = ""  # of publication: YYYY, YYYY-MM or YYYY-MM-DD
    edition: str | None = None  # "Second edition"
    # Each edition's ISBN as typed, by the edition's name ("pdf", "print", "epub"; ""
    # for one ISBN given for every edition).
    isbns: tuple[tuple[str, str], ...] = ()
    cover: Path | None = None  # a cover image of the book's, checked; else one is drawn
    page_size: str = "A4"
    toc_depth: int = 2
    chapter_start: str = "any"  # "right": each chapter opens on a right-hand page
    signature: int = 1  # the print edition's page count is a multiple of it

    def named(self, role: str) -> tuple[str, ...]:
        """The names of the contributors in ``role``, in the order given."""
        return tuple(c.name for c in self.contributors if c.role == role)

    @property
    def authors(self) -> tuple[str, ...]:
        return self.named("author")

    @property
    def creators(self) -> tuple[str, ...]:
        """Who the book is by: its authors and editors, or else its publisher (a report's
        corporate author)."""
        names = self.named("author") + self.named("editor")
        return names or ((self.publisher,) if self.publisher else ())

    @property
    def imprinted(self) -> bool:
        """Whether the imprint page states anything of the book's own (besides the
        publisher's notices): its rights, edition or ISBNs."""
        return bool(self.rights or self.edition or self.isbns)

    def isbn(self, edition: str) -> str | None:
        """The ISBN of ``edition`` (its name: "pdf", "print", "epub"), if it has one."""
        found = dict(self.isbns)
        return found.get(edition, found.get(""))

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
        """Chapters, each with its headings nested down to the book's ``toc_depth``
        (those listed: a heading typed ``{.unlisted}`` is not)."""
        return tuple(
            TocEntry(
                1,
                chapter.title,
                Anchor(chapter.id),
                _nest(chapter, chapter.listed_sections, 2, self.metadata.toc_depth),
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
