"""Number the paragraphs of each chapter, so every edition can point at any of them.

In: a book whose paragraphs have no ids. Out: each paragraph's (and figure's and
table's) id is ``p1``, ``p2``… in reading order within its chapter (paragraphs in
summaries, quotes and lists, and the cells of tables, included; a table's cells are
numbered before the table).
The ids depend only on the chapter's own text, so an edit to one chapter leaves every
other chapter's ids as they were.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import count

from presswork import ids
from presswork.config.manifest import BookConfig
from presswork.errors import Report
from presswork.model import Block, Book, Figure, Paragraph, Table
from presswork.transforms.tree import map_leaves


def _numbered(blocks: tuple[Block, ...], counter: count[int]) -> tuple[Block, ...]:
    def leaf(block: Block) -> tuple[Block, ...]:
        if isinstance(block, Paragraph | Figure | Table):
            return (replace(block, id=ids.block(next(counter))),)
        return (block,)

    return map_leaves(blocks, leaf)


def assign_block_ids(book: Book, config: BookConfig, report: Report) -> Book:
    chapters = tuple(
        replace(chapter, blocks=_numbered(chapter.blocks, count(1))) for chapter in book.chapters
    )
    return replace(book, chapters=chapters)
