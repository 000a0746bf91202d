"""The book model's inline content: text, emphasis, links, note calls, page breaks.

In: nothing (these are the types). Out: the inline node types, :data:`Inline` (their
union), :class:`Source` (where something was typed) and the walks over inline content.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """Where something was typed: file, line and, where it is known, column (from 1).
    Its ``repr`` leaves the file out: a chapter's layout is keyed by the ``repr`` of what
    it is made of (:func:`presswork.render.html.chapter_key`), and the folder a
    manuscript lies in changes nothing that is rendered."""

    path: Path = field(repr=False)
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
class Strikethrough:
    """Text struck through (``~~…~~``): deleted, and shown as deleted."""

    children: tuple[Inline, ...]
    kind: str = field(default="strikethrough", init=False)


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


Inline = (
    Text
    | SoftBreak
    | HardBreak
    | Code
    | Emphasis
    | Strong
    | Strikethrough
    | Link
    | NoteRef
    | PageBreak
)
# The inline nodes that hold other inline nodes: what a walk descends into.
Wrapper = Emphasis | Strong | Strikethrough | Link


def walk_inlines(children: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline node, those inside emphasis and links too, in reading order."""
    for child in children:
        yield child
        if isinstance(child, Wrapper):
            yield from walk_inlines(child.children)


def plain_text(children: tuple[Inline, ...]) -> str:
    """The words of inline content, without notes or markup."""
    parts: list[str] = []
    for node in children:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, SoftBreak | HardBreak):
            parts.append(" ")
        elif isinstance(node, Wrapper):
            parts.append(plain_text(node.children))
    return "".join(parts)
