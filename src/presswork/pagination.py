"""Where each printed page begins, read from the laid-out PDF and carried into the ePub.

In: WeasyPrint's laid-out pages (from :mod:`presswork.pdf`) and the resolved book. Out:
the :class:`PageStart` of every page (its folio and the element and word it begins
with), and the book with a :class:`~presswork.model.PageBreak` at each of those places,
from which the ePub writes its page-break markers and its page-list.

The granularity is the word: when a page begins inside a paragraph, the marker goes
before the word that is broken by the turn of the page or, when no word is broken, the
first word of the page. Words are counted the same way on both sides: runs of
characters between spaces in the paragraph's text, leaving out note calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from presswork.model import (
    Block,
    Book,
    Chapter,
    Emphasis,
    Figure,
    Heading,
    Inline,
    Link,
    PageBreak,
    Paragraph,
    Strong,
    Text,
)
from presswork.transforms.tree import map_leaves

AUTO_HYPHEN = "\u2010"  # what WeasyPrint sets where it hyphenates
# The PDF's front matter, by the ids a page of it can begin with.
FRONT_MATTER = {
    "_title-page": "title-page",
    "_imprint": "imprint",
    "_contents": "contents",
    "_contents-title": "contents",
}


@dataclass(frozen=True)
class PageStart:
    """Page ``folio`` begins at the element ``anchor`` (an id of the PDF's HTML), after
    ``words`` of its words set on earlier pages."""

    folio: str
    anchor: str
    words: int


def _excluded(box: Any) -> bool:
    """Boxes whose text is not the paragraph's own words: note calls and bodies."""
    tag = box.element_tag or ""
    if "::footnote" in tag or "::marker" in tag:
        return True
    element = box.element
    if element is None:
        return False
    classes = (element.get("class") or "").split()
    return "noteref" in classes or "footnote" in classes


def _lines(box: Any, anchor: str | None) -> Iterator[tuple[str, str]]:
    """(anchor, text) for each line or image in the page's flow, in reading order; the
    anchor is the id of the nearest element with one."""
    from weasyprint.formatting_structure import boxes  # only where pages are laid out

    if _excluded(box):
        return
    element = box.element
    if element is not None and element.get("id") and not isinstance(box, boxes.InlineBox):
        anchor = element.get("id")
    if isinstance(box, boxes.LineBox):
        text = "".join(_text(child) for child in box.children)
        if anchor is not None and text.strip():
            yield anchor, text
        return
    if isinstance(box, boxes.ReplacedBox) and anchor is not None:
        yield anchor, ""
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child, anchor)


def _text(box: Any) -> str:
    if _excluded(box):
        return ""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))


def count_words(lines: list[str]) -> int:
    """Words set on these lines, a word broken at the end counting as not yet set."""
    text = ""
    for line in lines:
        if text.endswith(AUTO_HYPHEN):
            text = text[:-1] + line
        elif text.endswith("-"):
            text += line
        else:
            text += " " + line
    words = len(text.split())
    broken = bool(lines) and lines[-1].rstrip().endswith((AUTO_HYPHEN, "-"))
    return words - 1 if broken else words


def page_starts(document: Any) -> tuple[PageStart, ...]:
    """The start of every page of a laid-out WeasyPrint document."""
    set_so_far: dict[str, list[str]] = {}
    starts: list[PageStart] = []
    for index, page in enumerate(document.pages):
        flow = page._page_box.children[0]  # the root box; margins and notes come after
        lines = list(_lines(flow, None))
        folio = str(index + 1)
        if lines:
            anchor = lines[0][0]
            starts.append(PageStart(folio, anchor, count_words(set_so_far.get(anchor, []))))
        for anchor, text in lines:
            set_so_far.setdefault(anchor, []).append(text)
    return tuple(starts)


# Carrying the page starts into the book --------------------------------------------


def with_page_breaks(
    book: Book, starts: tuple[PageStart, ...], chapter_of: dict[str, tuple[str, str | None]]
) -> Book:
    """The book with a page break at each start. ``chapter_of`` maps a PDF anchor to
    (chapter id, element id in the chapter or ``None`` for the chapter's opening)."""
    by_chapter: dict[str, list[tuple[str | None, int, PageBreak]]] = {}
    front: dict[str, PageBreak] = {}
    for start in starts:
        mark = PageBreak(start.folio)
        if start.anchor in FRONT_MATTER:
            front[FRONT_MATTER[start.anchor]] = mark
        elif start.anchor in chapter_of:
            chapter_id, element = chapter_of[start.anchor]
            by_chapter.setdefault(chapter_id, []).append((element, start.words, mark))
    chapters = tuple(_mark_chapter(c, by_chapter.get(c.id, [])) for c in book.chapters)
    return replace(book, chapters=chapters, front_pages=front)


def _mark_chapter(chapter: Chapter, marks: list[tuple[str | None, int, PageBreak]]) -> Chapter:
    if not marks:
        return chapter
    opening = next((m for e, _, m in marks if e is None), None)
    inside = {(e, w): m for e, w, m in marks if e is not None}
    return replace(chapter, opening_page=opening, blocks=_mark_blocks(chapter.blocks, inside))


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
    counter = [0, False]  # words begun so far; whether the text so far ends inside a word

    def walk(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in nodes:
            if isinstance(node, Text):
                out.extend(split(node.text))
            elif isinstance(node, Emphasis | Strong | Link):
                out.append(replace(node, children=walk(node.children)))
            else:
                if node.kind in ("softbreak", "hardbreak"):
                    counter[1] = False
                out.append(node)
        return tuple(out)

    def split(text: str) -> list[Inline]:
        pieces: list[Inline] = []
        last = 0
        for match in re.finditer(r"\S+", text):
            starts_word = match.start() > 0 or not counter[1]
            if starts_word:
                mark = marks.get(int(counter[0]))
                if mark is not None:
                    if match.start() > last:
                        pieces.append(Text(text[last : match.start()]))
                    pieces.append(mark)
                    last = match.start()
                counter[0] += 1
        if last < len(text):
            pieces.append(Text(text[last:]))
        counter[1] = bool(text) and not text[-1].isspace()
        return pieces

    return walk(children)
