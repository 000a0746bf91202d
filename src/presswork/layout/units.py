"""A unit of the book's layout, and the job that lays it out in a worker process.

In: a :class:`Job`: the :class:`Unit` (the front matter, one chapter, or the furniture of
a run of chapter pages), the manuscript and styles folders, and the HTML rendered for the
unit's cache key. Out: its :class:`UnitLayout`: the tagged PDF, page count, page starts,
the page of every element, where its text area sits on each page, and what WeasyPrint
warned about; as a record (plain JSON values) for the cache.

The front matter is laid out with placeholder page numbers twice over: once to learn its
length (alongside the chapters; the layout is kept in its process), then to be written,
the real numbers set into that same layout (:func:`unit_layout`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from presswork import ids
from presswork.layout.workers import Kind, in_worker
from presswork.model import Book, Chapter, PageStart
from presswork.render import html
from presswork.render.html import Refinements
from presswork.styles import print_edition

PLACEHOLDER_FOLIO = "999"  # as wide as a real page number of a long report


@dataclass(frozen=True)
class Unit:
    """A part of the book laid out as one WeasyPrint document."""

    name: str
    book: Book
    chapter: Chapter | None = None
    folios: dict[str, str] | None = None  # the front matter: page numbers for its contents
    furniture: tuple[int, ...] | None = None  # the furniture: first folio, chapters' pages
    blanks: tuple[int, ...] = ()  # the furniture: blank pages before each chapter
    measure: bool = False  # laid out only to count its pages: no PDF is written

    @property
    def kind(self) -> Kind:
        """The process it is laid out in: the front matter in its own."""
        return "front" if self.chapter is None and self.furniture is None else "layout"

    @property
    def furniture_pages(self) -> int:
        """The furniture: how many pages it gives running heads and folios."""
        return 0 if self.furniture is None else sum(self.furniture[1:]) + sum(self.blanks)

    @property
    def images(self) -> tuple[Path, ...]:
        if self.chapter is None:
            return ()
        return tuple(f.path for f in self.chapter.figures if f.path is not None)

    def html(self, refinements: Refinements) -> str:
        if self.chapter is not None:
            return html.chapter_html(self.book, self.chapter, refinements)
        if self.furniture is not None:
            first, pages = self.furniture[0], self.furniture[1:]
            return html.furniture_html(self.book, first, pages, self.blanks)
        assert self.folios is not None
        return html.front_html(self.book, self.folios, refinements)


@dataclass(frozen=True)
class UnitLayout:
    """A laid-out unit. Page starts carry folios counted from the unit's first page;
    ``anchors`` gives the page (from 0) of each element id; ``text_x`` the left edge of
    each page's text area, in points."""

    pdf: bytes
    pages: int
    starts: tuple[PageStart, ...]
    anchors: dict[str, int]
    text_x: tuple[float, ...]
    layout_warnings: tuple[str, ...] = ()
    write_warnings: tuple[str, ...] = ()
    displaced: tuple[tuple[str, int, int], ...] = ()
    cut: tuple[tuple[str, int], ...] = ()  # notes too long for their page, and the page

    def record(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "starts": [[s.folio, s.anchor, s.words] for s in self.starts],
            "anchors": self.anchors,
            "text_x": list(self.text_x),
            "layout_warnings": list(self.layout_warnings),
            "write_warnings": list(self.write_warnings),
            "displaced": [list(d) for d in self.displaced],
            "cut": [list(c) for c in self.cut],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], pdf: bytes) -> UnitLayout:
        pages = int(record["pages"])
        starts = tuple(PageStart(str(f), str(a), int(w)) for f, a, w in record["starts"])
        anchors = {str(k): int(v) for k, v in record["anchors"].items()}
        text_x = tuple(float(x) for x in record["text_x"])
        if pages < 1 or len(starts) > pages or len(text_x) != pages:
            raise ValueError("inconsistent cache record")
        if any(not 0 <= page < pages for page in anchors.values()):
            raise ValueError("inconsistent cache record")
        return cls(
            pdf,
            pages,
            starts,
            anchors,
            text_x,
            tuple(str(w) for w in record["layout_warnings"]),
            tuple(str(w) for w in record["write_warnings"]),
            tuple((str(n), int(c), int(p)) for n, c, p in record["displaced"]),
            tuple((str(n), int(p)) for n, p in record["cut"]),
        )


@dataclass(frozen=True)
class Job:
    unit: Unit
    manuscript: Path
    styles: Path
    environment: str  # the digest of the styles and versions (presswork.cache)
    measured: str = ""  # the front matter: the key of its layout with placeholder numbers
    # The unit's HTML (the front matter's with placeholder numbers) as rendered for its
    # key, with no refinement asked for: not rendered again where it is laid out.
    html: str = ""

    def render(self, render: Callable[[Refinements], str]) -> Callable[[Refinements], str]:
        """``render``, answered from the HTML the job carries where it can be."""
        return lambda asked: self.html if self.html and not asked else render(asked)


# The front matter as last laid out with placeholder numbers in this process, by the key of
# that layout (Job.measured: its HTML, the styles, the settings): measured alongside the
# chapters, it is kept until their page numbers are known and set into it (which uses it
# up: it is taken out).
_kept_front: dict[str, Any] = {}


def unit_layout(job: Job) -> UnitLayout:
    """Lay out one unit and write its tagged PDF (run in a worker process).

    The front matter is always laid out with placeholder page numbers: to measure it
    (the layout is kept), then to write it with the real numbers set into that same
    layout (:func:`presswork.layout.pages.set_page_numbers`), laid out again only where it was
    not kept. What the join needs is read from WeasyPrint's pages before the PDF is
    written, so that the pages can be let go before the PDF is finished. The front
    matter (a report's contents: the largest layout of the book) leaves as much garbage
    as it keeps: in a worker, its cycles are collected, so that writing reuses that
    memory rather than adding to it. Not in the process that builds (one job, or a short
    book's front matter), which holds the caller's objects too: there WeasyPrint's
    cycles go when Python's collector decides, as everything else's does."""
    # WeasyPrint is loaded only where pages are laid out: not by an ePub built from
    # the cache.
    from presswork.layout import engine
    from presswork.layout.pages import set_page_numbers
    from presswork.pdf.tags import as_artifacts, tagged

    unit = job.unit
    placeholders = placeholder_folios(unit.book) if unit.folios is not None else None
    collect = placeholders is not None and in_worker()
    if placeholders is None:
        layout = engine.layout_refined(
            job.render(unit.html), job.manuscript, job.styles, job.environment
        )
    else:
        measuring = replace(unit, folios=placeholders, measure=True)
        # (one name for the layout, which is let go of once the PDF is written)
        layout = _kept_front.pop(job.measured, None)
        if unit.measure:  # an earlier measure's layout: no front matter will take it now
            _kept_front.clear()
        layout = layout or engine.layout_refined(
            job.render(measuring.html), job.manuscript, job.styles, job.environment
        )
        if unit.measure:
            _kept_front[job.measured] = layout
    pages = layout.document.pages
    laid_out = UnitLayout(
        pdf=b"",
        pages=len(pages),
        starts=layout.page_starts(),
        anchors=layout.anchor_pages(),
        text_x=layout.text_x(),
        layout_warnings=layout.warnings,
        displaced=tuple(layout.displaced_notes()),
        cut=layout.cut_notes(),
    )
    if collect:
        gc.collect()
    if unit.measure:
        return laid_out
    if placeholders is not None:
        assert unit.folios is not None
        missed = set_page_numbers(layout, placeholders, unit.folios)
        if missed:
            warning = f"no page number set in the contents for {', '.join(missed)}"
            laid_out = replace(laid_out, layout_warnings=(*laid_out.layout_warnings, warning))
    leaders = layout.leaders()
    identifier = unit.book.metadata.identifier
    written, messages = engine.write_pdf(layout, identifier, html.UNIT_DATE)
    del layout, pages
    if collect:
        gc.collect()
    # The print edition's inks, beside each page's content: converted here, once, and
    # kept with the unit in the cache, not at every join of the book.
    inks = print_edition(job.styles)
    if unit.furniture is not None:
        written = as_artifacts(written, prepare=inks)
    else:
        written = tagged(written, leaders, pack=True, prepare=inks)
    return replace(laid_out, pdf=written, write_warnings=tuple(messages))


@dataclass(frozen=True)
class Layouts:
    """Every unit laid out, in the book's order, and the names of those that were not
    in the cache; ``blanks``: the blank pages before each chapter (one where a chapter
    that opens on a right-hand page would open on a left-hand one)."""

    front: UnitLayout
    chapters: tuple[UnitLayout, ...]
    furniture: tuple[UnitLayout, ...]  # the chapters' pages' running heads and folios
    laid_out: tuple[str, ...]
    keys: tuple[str, ...]  # the front matter's measure's, the chapters', then the rest's
    blanks: tuple[int, ...] = ()
    work: LaidOut = field(default_factory=lambda: LaidOut())

    @property
    def chapter_keys(self) -> tuple[str, ...]:
        return self.keys[1 : 1 + len(self.chapters)]

    def blanks_before(self) -> tuple[int, ...]:
        return self.blanks or (0,) * len(self.chapters)

    def first_pages(self) -> tuple[int, ...]:
        """The page number each chapter begins on."""
        firsts, page = [], self.front.pages + 1
        for chapter, blank in zip(self.chapters, self.blanks_before(), strict=True):
            page += blank
            firsts.append(page)
            page += chapter.pages
        return tuple(firsts)

    @property
    def page_count(self) -> int:
        chapters = sum(c.pages for c in self.chapters)
        return self.front.pages + chapters + sum(self.blanks_before())

    def page_starts(self) -> tuple[PageStart, ...]:
        """Where each page of the book begins, with the book's folios: a blank page
        begins where the page after it does."""
        starts = list(self.front.starts)
        for first, chapter, blank in zip(
            self.first_pages(), self.chapters, self.blanks_before(), strict=True
        ):
            opening = chapter.starts[0] if chapter.starts else None
            if opening is not None:
                starts += [replace(opening, folio=str(first - b)) for b in range(blank, 0, -1)]
            starts += [replace(s, folio=str(first + int(s.folio) - 1)) for s in chapter.starts]
        return tuple(starts)


@dataclass(frozen=True)
class LaidOut:
    """What a build laid out rather than took from the cache, in the book's terms: the
    ids of the chapters laid out, of how many; whether the front matter was (or its
    length measured); and the pages whose running heads and folios were set."""

    chapters: tuple[str, ...] = ()
    of_chapters: int = 0
    front: bool = False
    furniture_pages: int = 0

    @classmethod
    def of(cls, units: Sequence[Unit], chapters: int) -> LaidOut:
        return cls(
            tuple(u.chapter.id for u in units if u.chapter is not None),
            chapters,
            any(u.kind == "front" for u in units),
            sum(u.furniture_pages for u in units),
        )

    def summary(self) -> str:
        """One line for people: "laid out 2 of 150 chapters (alpha, beta) and the running
        heads of 24 pages; the rest came from the cache"."""
        parts = []
        count, of = len(self.chapters), self.of_chapters
        if count:
            named = f" ({', '.join(self.chapters)})" if count <= 4 else ""
            chapters = f"{count} of {of} chapters" if count < of else f"all {of} chapters"
            parts.append((chapters if of > 1 else "the chapter") + named)
        if self.front:
            parts.append("the front matter")
        if self.furniture_pages:
            pages = self.furniture_pages
            parts.append(f"the running heads and page numbers of {pages} page{'s' * (pages != 1)}")
        if not parts:
            return "nothing laid out: every page came from the cache"
        laid = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        whole = len(self.chapters) == self.of_chapters
        return f"laid out {laid}" + ("" if whole else "; the rest came from the cache")

    def as_dict(self) -> dict[str, object]:
        return {
            "chapters": list(self.chapters),
            "of_chapters": self.of_chapters,
            "front_matter": self.front,
            "furniture_pages": self.furniture_pages,
        }


def blanks_before(front_pages: int, chapter_pages: Sequence[int], right: bool) -> tuple[int, ...]:
    """The blank pages before each chapter: with ``right``, one before each chapter
    that would otherwise open on an even (left-hand) page."""
    blanks, page = [], front_pages + 1
    for pages in chapter_pages:
        blank = 1 if right and page % 2 == 0 else 0
        blanks.append(blank)
        page += blank + pages
    return tuple(blanks)


def placeholder_folios(book: Book) -> dict[str, str]:
    """A page number for every element the contents list, as wide as a real one."""
    return dict.fromkeys(ids.contents_targets(book), PLACEHOLDER_FOLIO)
