"""Write the ePub's NCX, for reading systems older than EPUB 3.

In: the book with its page breaks, and its page-list (:func:`presswork.render.xhtml.page_list`).
Out: the NCX's markup: the contents as navigation points, nested as in the navigation
document, the page-list as page targets, every point numbered in reading order
(``playOrder``), and a head that states the contents' depth and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from presswork.model import (
    Book,
    Heading,
    PageBreak,
    Paragraph,
    TocEntry,
    walk_block_tree,
    walk_inlines,
)
from presswork.render import markup
from presswork.render.xhtml import EpubLinks, PageLink

Place = tuple[str, ...]  # ("page", label) or ("anchor", chapter id, element id or "")


@dataclass(frozen=True)
class NavPoint:
    id: str
    order: int
    label: str
    src: str
    children: tuple[NavPoint, ...]


@dataclass(frozen=True)
class PageTarget:
    id: str
    order: int
    label: str
    src: str


def reading_order(book: Book) -> dict[Place, int]:
    """Each place a point can lead to, numbered from 1 in the order it is read: the front
    matter's pages, then each chapter's opening and, in its text, its page breaks and
    headings, and those in its notes."""
    places: list[Place] = [
        ("page", page.label) for pages in book.front_pages.values() for page in pages
    ]
    for chapter in book.chapters:
        places.append(("anchor", chapter.id, ""))
        places += [("page", page.label) for page in chapter.opening_pages]
        for block in walk_block_tree(chapter.blocks):
            if isinstance(block, PageBreak):
                places.append(("page", block.label))
            elif isinstance(block, Heading):
                places.append(("anchor", chapter.id, block.id))
            if isinstance(block, Paragraph | Heading):
                places += [
                    ("page", node.label)
                    for node in walk_inlines(block.children)
                    if isinstance(node, PageBreak)
                ]
        places += [("page", page.label) for page in chapter.note_page_breaks()]
    return {place: index for index, place in enumerate(dict.fromkeys(places), start=1)}


def _points(
    entries: tuple[TocEntry, ...], order: dict[Place, int], links: EpubLinks
) -> tuple[NavPoint, ...]:
    points = []
    for entry in entries:
        place = ("anchor", entry.anchor.chapter, entry.anchor.fragment or "")
        number = order[place]
        points.append(
            NavPoint(
                f"nav-{number}",
                number,
                " ".join(entry.plain.split()),
                links.href(entry.anchor),
                _points(entry.children, order, links),
            )
        )
    return tuple(points)


def _depth(entries: tuple[TocEntry, ...]) -> int:
    return max((1 + _depth(e.children) for e in entries), default=0)


def _anchors(entries: tuple[TocEntry, ...]) -> list[Place]:
    found: list[Place] = []
    for entry in entries:
        found.append(("anchor", entry.anchor.chapter, entry.anchor.fragment or ""))
        found += _anchors(entry.children)
    return found


def ncx_markup(book: Book, pages: tuple[PageLink, ...], links: EpubLinks) -> str:
    """The NCX of ``book``; ``links`` as seen from the package's folder. The points are
    numbered 1, 2, 3… without a gap, in the order they are read."""
    toc = book.toc()
    used = set(_anchors(toc)) | {("page", page.label) for page in pages}
    read = [place for place in reading_order(book) if place in used]
    order = {place: number for number, place in enumerate(read, start=1)}
    targets = [
        PageTarget(f"page-{page.label}", order[("page", page.label)], page.label, page.href)
        for page in pages
    ]
    return markup.render(
        "epub/toc.ncx.j2",
        language=book.metadata.language,
        labels=markup.labels(book.metadata.language),
        meta=book.metadata,
        depth=_depth(toc),
        nav_points=_points(toc, order, links),
        pages=targets,
        max_page=max((int(page.label) for page in pages), default=0),
    )
