"""Resolve a freshly read book: the ordered, named steps between reading and rendering.

In: the :class:`~presswork.model.Book` that :mod:`presswork.manuscript` read and the
book's configuration. Out: a book whose headings and paragraphs all have ids, whose notes
are numbered and whose links point at anchors or URLs; every problem a step finds is
recorded in the :class:`~presswork.errors.Report`.
"""

from __future__ import annotations

from collections.abc import Callable

from presswork.config.manifest import BookConfig
from presswork.errors import Report
from presswork.model import Book
from presswork.transforms.block_ids import assign_block_ids
from presswork.transforms.heading_ids import assign_heading_ids
from presswork.transforms.links import resolve_links
from presswork.transforms.notes import number_notes

Transform = Callable[[Book, BookConfig, Report], Book]

TRANSFORMS: tuple[tuple[str, Transform], ...] = (
    ("heading_ids", assign_heading_ids),
    ("block_ids", assign_block_ids),
    ("notes", number_notes),
    ("links", resolve_links),
)


def resolve(book: Book, config: BookConfig, report: Report) -> Book:
    """Run every step; each records its problems in ``report`` and carries on."""
    for _name, step in TRANSFORMS:
        book = step(book, config, report)
    return book
