"""Resolve a freshly read book: the ordered, named steps between reading and rendering.

In: the :class:`~presswork.model.Book` that :mod:`presswork.manuscript` read and the
book's configuration. Out: a book whose headings all have ids, whose notes are numbered
and whose links point at anchors or URLs, or a
:class:`~presswork.errors.ManuscriptError` with every problem a step found.
"""

from __future__ import annotations

from collections.abc import Callable

from presswork.config import BookConfig
from presswork.model import Book
from presswork.transforms.block_ids import assign_block_ids
from presswork.transforms.heading_ids import assign_heading_ids
from presswork.transforms.links import resolve_links
from presswork.transforms.notes import number_notes

Transform = Callable[[Book, BookConfig], Book]

TRANSFORMS: tuple[tuple[str, Transform], ...] = (
    ("heading_ids", assign_heading_ids),
    ("block_ids", assign_block_ids),
    ("notes", number_notes),
    ("links", resolve_links),
)


def resolve(book: Book, config: BookConfig) -> Book:
    for _name, step in TRANSFORMS:
        book = step(book, config)
    return book
