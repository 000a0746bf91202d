"""The book model's blocks: paragraphs, headings, lists, quotes, figures, tables, notes.

In: the inline types (:mod:`presswork.model.inlines`). Out: the block types,
:data:`Block` (their union), :class:`Note` and the walks over blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from presswork.model.inlines import Inline, PageBreak, Source, plain_text


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
    """A heading; ``listed`` is false for a heading kept out of the contents (pandoc's
    ``{.unlisted}``)."""

    level: int
    id: str
    children: tuple[Inline, ...]
    source: Source
    listed: bool = True
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


@dataclass(frozen=True)
class Table:
    """A table: a row of header cells, rows of body cells, each cell a paragraph of
    inline content (the paragraphs' ids are set with the others'); each column's
    alignment (``left``, ``center``, ``right`` or ``""``); a caption, if one was typed
    (pandoc's ``Table: …`` after the table). ``id`` is set with the paragraphs' ids."""

    header: tuple[Paragraph, ...]
    rows: tuple[tuple[Paragraph, ...], ...]
    aligns: tuple[str, ...]
    caption: Paragraph | None
    source: Source
    id: str = ""
    kind: str = field(default="table", init=False)

    def cells(self) -> tuple[Paragraph, ...]:
        """The caption and every cell, in reading order."""
        caption = (self.caption,) if self.caption is not None else ()
        return (*caption, *self.header, *(cell for row in self.rows for cell in row))

    def with_cells(self, cells: tuple[Paragraph, ...]) -> Table:
        """The table with its caption and cells replaced, in :meth:`cells`' order."""
        found = iter(cells)
        caption = next(found) if self.caption is not None else None
        header = tuple(next(found) for _ in self.header)
        rows = tuple(tuple(next(found) for _ in row) for row in self.rows)
        return replace(self, caption=caption, header=header, rows=rows)


@dataclass(frozen=True)
class Definition:
    """A term of a definition list, as a paragraph of its own (its id is set with the
    others'), and its definitions, each a sequence of blocks."""

    term: Paragraph
    definitions: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class DefinitionList:
    """Terms and their definitions (pandoc's ``Term`` then ``:   definition``)."""

    items: tuple[Definition, ...]
    source: Source
    kind: str = field(default="definitions", init=False)


Block = (
    Paragraph
    | Heading
    | ListBlock
    | Quote
    | CodeBlock
    | Rule
    | Summary
    | Figure
    | Table
    | DefinitionList
    | PageBreak
)


@dataclass(frozen=True)
class Note:
    label: str
    number: int
    children: tuple[Block, ...]
    source: Source
    calls: int = 1


def walk_block_tree(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, those inside quotes, summaries, lists, tables and definition lists
    too, in reading order."""
    for block in blocks:
        yield block
        if isinstance(block, Quote | Summary):
            yield from walk_block_tree(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_block_tree(item)
        elif isinstance(block, Table):
            yield from block.cells()
        elif isinstance(block, DefinitionList):
            for entry in block.items:
                yield entry.term
                for definition in entry.definitions:
                    yield from walk_block_tree(definition)


def figures_in(blocks: tuple[Block, ...]) -> list[Figure]:
    """The figures among ``blocks`` and inside their quotes, summaries and lists."""
    found: list[Figure] = []
    for block in blocks:
        if isinstance(block, Figure):
            found.append(block)
        elif isinstance(block, Quote | Summary):
            found.extend(figures_in(block.children))
        elif isinstance(block, ListBlock):
            for item in block.items:
                found.extend(figures_in(item))
    return found


def note_characters(note: Note) -> int:
    """How long a note is: the characters of its paragraphs' and headings' text, one
    between each two (what :mod:`presswork.transforms.long_notes` measures)."""
    blocks = walk_block_tree(note.children)
    texts = (plain_text(b.children) for b in blocks if isinstance(b, Paragraph | Heading))
    return len(" ".join(texts))
