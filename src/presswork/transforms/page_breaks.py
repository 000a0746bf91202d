"""Carry where each printed page begins into the book, for the ePub's page markers.

In: the resolved book and the :class:`~presswork.model.PageStart` of every page of the
PDF (:mod:`presswork.layout.pages`). Out: the book with a
:class:`~presswork.model.PageBreak` at each of those places, from which the ePub writes
its page-break markers and its page-list: before the word a page begins with (the
word broken by the turn of the page or, when none is, the first word of the page),
before a heading or figure a page begins with, at a chapter's opening, on the front
matter's pages, and in the notes where a page begins in the rest of a note that the PDF
continues after its chapter (:mod:`presswork.transforms.long_notes`). Words are counted
as the layout counts them: runs of characters between spaces in the paragraph's text,
leaving out note calls.

Unlike the transforms that resolve a book, this one runs after the layout: it is not in
:data:`presswork.transforms.TRANSFORMS`.
"""

from __future__ import annotations

from dataclasses import replace

from presswork import ids
from presswork.model import (
    Block,
    Book,
    Chapter,
    Figure,
    Heading,
    Inline,
    Note,
    PageBreak,
    PageStart,
    Paragraph,
    Text,
)
from presswork.transforms.tree import map_leaves
from presswork.transforms.words import rewrite_words


def with_page_breaks(book: Book, starts: tuple[PageStart, ...]) -> Book:
    """The book with a page break at each start."""
    chapter_of = ids.pdf_anchors(book)
    by_chapter: dict[str, list[tuple[str | None, int, PageBreak]]] = {}
    in_notes: dict[str, dict[tuple[int, int], dict[int, PageBreak]]] = {}
    front: dict[str, tuple[PageBreak, ...]] = {}
    for start in starts:
        mark = PageBreak(start.folio)
        part = ids.pdf_note_part(start.anchor)
        if start.anchor in ids.FRONT_MATTER_PAGES:
            name = ids.FRONT_MATTER_PAGES[start.anchor]
            front[name] = (*front.get(name, ()), mark)
        elif start.anchor in chapter_of:
            chapter_id, element = chapter_of[start.anchor]
            by_chapter.setdefault(chapter_id, []).append((element, start.words, mark))
        elif part is not None:  # in the rest of a note the PDF continues after its chapter
            chapter_id, number, paragraph, word = part
            marks = in_notes.setdefault(chapter_id, {}).setdefault((number, paragraph), {})
            marks[word + start.words] = mark
    chapters = tuple(
        _mark_chapter(c, by_chapter.get(c.id, []), in_notes.get(c.id, {})) for c in book.chapters
    )
    return replace(book, chapters=chapters, front_pages=front)


def _mark_chapter(
    chapter: Chapter,
    marks: list[tuple[str | None, int, PageBreak]],
    in_notes: dict[tuple[int, int], dict[int, PageBreak]],
) -> Chapter:
    if in_notes:
        chapter = replace(chapter, notes=tuple(_mark_note(n, in_notes) for n in chapter.notes))
    if not marks:
        return chapter
    opening = tuple(m for e, _, m in marks if e is None)
    inside = {(e, w): m for e, w, m in marks if e is not None}
    return replace(chapter, opening_pages=opening, blocks=_mark_blocks(chapter.blocks, inside))


def _mark_note(note: Note, marks: dict[tuple[int, int], dict[int, PageBreak]]) -> Note:
    """The note with the pages that begin in its paragraphs (numbered from 1), which the
    PDF sets after its chapter, marked before their first words."""
    children = tuple(
        replace(block, children=_insert(block.children, marks[(note.number, index)]))
        if isinstance(block, Paragraph) and (note.number, index) in marks
        else block
        for index, block in enumerate(note.children, 1)
    )
    return replace(note, children=children)


def _mark_blocks(
    blocks: tuple[Block, ...], marks: dict[tuple[str, int], PageBreak]
) -> tuple[Block, ...]:
    def leaf(block: Block) -> tuple[Block, ...]:
        if isinstance(block, Paragraph):
            wanted = {w: m for (e, w), m in marks.items() if e == block.id}
            if wanted:
                return (replace(block, children=_insert(block.children, wanted)),)
        elif isinstance(block, Heading | Figure) and (block.id, 0) in marks:
            return (marks[(block.id, 0)], block)
        return (block,)

    return map_leaves(blocks, leaf)


def _insert(children: tuple[Inline, ...], marks: dict[int, PageBreak]) -> tuple[Inline, ...]:
    """Put ``marks[n]`` before the word after the first ``n`` words of the paragraph."""

    def marked(index: int, space: str, word: str) -> list[Inline]:
        mark = marks.get(index)
        return [Text(space + word)] if mark is None else [Text(space), mark, Text(word)]

    return rewrite_words(children, marked)
