"""Lay out the book unit by unit, in worker processes, through the cache.

In: the resolved book, its manuscript and styles folders, the output folder (which holds
the cache) and the processes to lay out in (:mod:`presswork.workers`). Out:
:class:`Layouts`, a :class:`UnitLayout` for each unit of the book's layout (the front
matter, every chapter, the furniture of the chapter pages), each with its tagged PDF,
page count, page starts, the page of every element and where its text area sits on each
page; and which units had to be laid out rather than read from the cache.

A chapter's pages do not depend on where in the book it falls. They carry no running
heads or folios (the furniture does, laid out once the page counts are known), and a
left-hand page differs from a right-hand one only in where its text area sits, which the
join corrects by moving the page's content sideways. So the chapters are laid out each on
its own, in worker processes, and a chapter is laid out again only when its own HTML (or
the styles, or presswork) changes. Alongside them, in a process of its own, the front
matter is laid out once, with placeholder page numbers, to learn its length. The
contents' numbers stand in a column of their own in tabular figures, so their values
move nothing: once the chapters' pages are counted, the real numbers are set into that
same layout and it is written, while the furniture is laid out, in runs of chapters, in
parallel.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from presswork import cache, html
from presswork.errors import OutputError, error
from presswork.model import Book, Chapter
from presswork.pagination import PageStart
from presswork.workers import Kind, Workers

PX = 0.75  # one CSS pixel in PDF points
FURNITURE_PAGES = 64


@dataclass(frozen=True)
class Unit:
    """A part of the book laid out as one WeasyPrint document."""

    name: str
    book: Book
    chapter: Chapter | None = None
    folios: dict[str, str] | None = None  # the front matter: page numbers for its contents
    furniture: tuple[int, ...] | None = None  # the furniture: first folio, chapters' pages
    measure: bool = False  # laid out only to count its pages: no PDF is written

    @property
    def kind(self) -> Kind:
        """The process it is laid out in: the front matter in its own."""
        return "front" if self.chapter is None and self.furniture is None else "layout"

    @property
    def images(self) -> tuple[Path, ...]:
        if self.chapter is None:
            return ()
        return tuple(f.path for f in self.chapter.figures if f.path is not None)

    def html(self, widows: dict[str, int]) -> str:
        if self.chapter is not None:
            return html.chapter_html(self.book, self.chapter, widows)
        if self.furniture is not None:
            return html.furniture_html(self.book, self.furniture[0], self.furniture[1:])
        assert self.folios is not None
        return html.front_html(self.book, self.folios, widows)


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

    def record(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "starts": [[s.folio, s.anchor, s.words] for s in self.starts],
            "anchors": self.anchors,
            "text_x": list(self.text_x),
            "layout_warnings": list(self.layout_warnings),
            "write_warnings": list(self.write_warnings),
            "displaced": [list(d) for d in self.displaced],
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
        )


@dataclass(frozen=True)
class Job:
    unit: Unit
    manuscript: Path
    styles: Path
    environment: str  # the digest of the styles and versions (see presswork.cache)
    measured: str = ""  # the front matter: the key of its layout with placeholder numbers
    # The unit's HTML (the front matter's with placeholder numbers) as rendered for its
    # key, with no widows setting raised: not rendered again where it is laid out.
    html: str = ""

    def render(self, render: Callable[[dict[str, int]], str]) -> Callable[[dict[str, int]], str]:
        """``render``, answered from the HTML the job carries where it can be."""
        return lambda widows: self.html if self.html and not widows else render(widows)


# The front matter as last laid out with placeholder numbers in this process, by the key of
# that layout (Job.measured: its HTML, the styles, the settings): measured alongside the
# chapters, it is kept until their page numbers are known and set into it (which uses it
# up: it is taken out).
_kept_front: dict[str, Any] = {}


def lay_out_unit(job: Job) -> UnitLayout:
    """Lay out one unit and write its tagged PDF (run in a worker process).

    The front matter is always laid out with placeholder page numbers: to measure it
    (the layout is kept), then to write it with the real numbers set into that same
    layout (:func:`presswork.pdf.set_page_numbers`), laid out again only where it was
    not kept. What the join needs is read from WeasyPrint's pages before the PDF is
    written, so that the pages can be let go before the PDF is finished. The front
    matter (a report's contents: the largest layout of the book) leaves as much garbage
    as it keeps: its cycles are collected, so that writing reuses that memory rather
    than adding to it."""
    # WeasyPrint is loaded only where pages are laid out: not by an ePub built from
    # the cache.
    from presswork import pdf
    from presswork.pagination import page_starts
    from presswork.pdftags import as_artifacts, finish

    unit = job.unit
    placeholders = _placeholders(unit.book) if unit.folios is not None else None
    if placeholders is None:
        layout = pdf.lay_out_with_notes(
            job.render(unit.html), job.manuscript, job.styles, job.environment
        )
    else:
        measuring = replace(unit, folios=placeholders, measure=True)
        layout = _kept_front.pop(job.measured, None) or pdf.lay_out_with_notes(
            job.render(measuring.html), job.manuscript, job.styles, job.environment
        )
        if unit.measure:
            _kept_front.clear()
            _kept_front[job.measured] = layout
    pages = layout.document.pages
    laid_out = UnitLayout(
        pdf=b"",
        pages=len(pages),
        starts=page_starts(layout.document),
        anchors=layout.anchor_pages(),
        text_x=tuple(round(page._page_box.content_box_x() * PX, 4) for page in pages),
        layout_warnings=layout.warnings,
        displaced=tuple(layout.displaced_notes()),
    )
    if placeholders is not None:
        gc.collect()
    if unit.measure:
        return laid_out
    if placeholders is not None:
        assert unit.folios is not None
        missed = pdf.set_page_numbers(layout, placeholders, unit.folios)
        if missed:
            warning = f"no page number set in the contents for {', '.join(missed)}"
            laid_out = replace(laid_out, layout_warnings=(*laid_out.layout_warnings, warning))
    leaders = layout.leaders()
    identifier = unit.book.metadata.identifier
    written, messages = pdf.screen_pdf(layout, identifier, html.UNIT_DATE)
    del layout, pages
    if placeholders is not None:
        gc.collect()
    if unit.furniture is not None:
        written = as_artifacts(written)
    else:
        written = finish(written, leaders, pack=True)
    return replace(laid_out, pdf=written, write_warnings=tuple(messages))


@dataclass(frozen=True)
class Layouts:
    """Every unit laid out, in the book's order, and the names of those that were not
    in the cache."""

    front: UnitLayout
    chapters: tuple[UnitLayout, ...]
    furniture: tuple[UnitLayout, ...]  # the chapters' pages' running heads and folios
    laid_out: tuple[str, ...]
    keys: tuple[str, ...]  # the front matter's measure's, the chapters', then the rest's

    @property
    def chapter_keys(self) -> tuple[str, ...]:
        return self.keys[1 : 1 + len(self.chapters)]

    def first_pages(self) -> tuple[int, ...]:
        """The page number each chapter begins on."""
        firsts, page = [], self.front.pages + 1
        for chapter in self.chapters:
            firsts.append(page)
            page += chapter.pages
        return tuple(firsts)

    @property
    def page_count(self) -> int:
        return self.front.pages + sum(c.pages for c in self.chapters)

    def page_starts(self) -> tuple[PageStart, ...]:
        """Where each page of the book begins, with the book's folios."""
        starts = list(self.front.starts)
        for first, chapter in zip(self.first_pages(), self.chapters, strict=True):
            starts += [replace(s, folio=str(first + int(s.folio) - 1)) for s in chapter.starts]
        return tuple(starts)


@dataclass
class _Runner:
    """Lays out units, from the cache when it can, in the workers' processes: the front
    matter in a process of its own, the rest in the layout pool."""

    manuscript: Path
    styles: Path
    environment: str
    settings: str  # the book's identifier: what reaches a unit's PDF besides its HTML
    output: Path
    workers: Workers
    with_pdf: bool
    progress: Callable[[str], None]
    laid_out: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    placeholder_html: str | None = None
    measured: str = ""  # the key of the front matter laid out with placeholder numbers

    def source(self, unit: Unit) -> str:
        """What a unit is laid out from, for its key: its HTML; for the front matter, its
        HTML with placeholder numbers (which it is always laid out with) and the numbers
        then set into it (rendered once for both the measure and the front matter)."""
        if unit.folios is None:
            return unit.html({})
        if self.placeholder_html is None:
            measuring = replace(unit, folios=_placeholders(unit.book), measure=True)
            self.placeholder_html = measuring.html({})
        if unit.measure:
            return self.placeholder_html
        return self.placeholder_html + "\0numbers " + json.dumps(unit.folios, sort_keys=True)

    def laid_out_from(self, unit: Unit, source: str) -> str:
        """The HTML a unit is laid out from, given its :meth:`source`."""
        return (self.placeholder_html or "") if unit.folios is not None else source

    def run(
        self, units: Sequence[Unit], cached: Callable[[dict[str, bytes]], None] | None = None
    ) -> list[UnitLayout]:
        """The units laid out, from the cache where it has them; ``cached`` is told of
        those it has (their keys and PDFs) before the others are laid out."""
        sources = [self.source(u) for u in units]
        keys = [
            cache.unit_key(
                self.environment,
                source,
                u.images,
                # WeasyPrint names an image in the PDF after its URL, which holds the
                # manuscript folder's path.
                self.settings
                + (f"\0{self.manuscript.resolve()}" if u.images else "")
                + ("\0measured only" if u.measure else ""),
            )
            for u, source in zip(units, sources, strict=True)
        ]
        self.keys += keys
        for unit, key in zip(units, keys, strict=True):
            if unit.measure:
                self.measured = key
        found: dict[int, UnitLayout] = {}
        for index, key in enumerate(keys):
            entry = cache.load(self.output, key, self.with_pdf)
            if entry is not None:
                with suppress(ValueError, KeyError, TypeError):
                    found[index] = UnitLayout.from_record(entry.record, entry.pdf or b"")
        missing = [i for i in range(len(units)) if i not in found]
        if missing and cached is not None:
            cached({keys[i]: found[i].pdf for i in sorted(found) if found[i].pdf})
        if missing:
            names = [units[i].name for i in missing]
            self.progress(f"laying out {_plural(len(missing), 'unit')}: {_summary(names)}")
            self.workers.before_layout(sum(units[i].kind == "layout" for i in missing))
            futures = [
                self.workers.submit(
                    units[i].kind,
                    lay_out_unit,
                    Job(
                        units[i],
                        self.manuscript,
                        self.styles,
                        self.environment,
                        self.measured if units[i].folios is not None else "",
                        self.laid_out_from(units[i], sources[i]),
                    ),
                )
                for i in missing
            ]
            for index, future in zip(missing, futures, strict=True):
                layout = future.result()
                cache.store(self.output, keys[index], layout.record(), layout.pdf)
                found[index] = layout
            self.laid_out += names
        return [found[i] for i in range(len(units))]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(names: list[str]) -> str:
    return (
        ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"
    )


def lay_out(
    book: Book,
    manuscript: Path,
    styles: Path,
    environment: str,
    output: Path,
    workers: Workers,
    with_pdf: bool = True,
    progress: Callable[[str], None] = lambda step: None,
    cached: Callable[[dict[str, bytes]], None] | None = None,
) -> Layouts:
    """Lay out every unit of ``book``; ``environment`` is the digest of the styles and
    versions (:func:`presswork.cache.environment_key`). With ``with_pdf`` false, cached
    units are read without their PDFs (enough for the ePub's page numbers) and no
    furniture is made. ``cached`` is told of the chapters found in the cache (their keys
    and PDFs) while others are still to be laid out."""
    identifier = book.metadata.identifier
    runner = _Runner(
        manuscript, styles, environment, identifier, output, workers, with_pdf, progress
    )
    # The contents print the pages the chapters begin on, which follow the front
    # matter: its length is measured with placeholder numbers alongside the chapters.
    measure = Unit("length of the front matter", book, folios=_placeholders(book), measure=True)
    measured, *chapters = runner.run(
        [
            measure,
            *(
                Unit(f"chapter {c.id}", replace(book, chapters=(c,), notices=()), chapter=c)
                for c in book.chapters
            ),
        ],
        cached,  # told of the chapters only: the rest goes to the join at once
    )
    furniture = _furniture(book, measured.pages, chapters) if with_pdf else []
    folios = _folios(measured.pages, chapters)
    front, *furnished = runner.run([Unit("front matter", book, folios=folios), *furniture])
    if front.pages != measured.pages:  # the numbers are set into the measured layout
        message = "layout: the front matter's length changed with its page numbers"
        raise OutputError(error("PW901", message))
    if sum(f.pages for f in furnished) != sum(c.pages for c in chapters) and with_pdf:
        message = "layout: the furniture has not one page for each page of the chapters"
        raise OutputError(error("PW901", message))
    return Layouts(
        front,
        tuple(chapters),
        tuple(furnished),
        tuple(runner.laid_out),
        tuple(runner.keys),
    )


def _placeholders(book: Book) -> dict[str, str]:
    """A page number for every element the contents list, as wide as a real one."""
    folios = {}
    for chapter in book.chapters:
        folios[chapter.id] = "999"
        folios.update({f"{chapter.id}--{h.id}": "999" for h in chapter.sections})
    return folios


def _folios(front_pages: int, chapters: list[UnitLayout]) -> dict[str, str]:
    folios: dict[str, str] = {}
    first = front_pages + 1
    for chapter in chapters:
        for anchor, page in chapter.anchors.items():
            folios[anchor] = str(first + page)
        first += chapter.pages
    return folios


def _furniture(book: Book, front_pages: int, chapters: list[UnitLayout]) -> list[Unit]:
    """The furniture of the chapters' pages, in units of whole chapters of about
    FURNITURE_PAGES pages, so that they are laid out in parallel and a change of page
    count lays out again only the units from there on."""
    units: list[Unit] = []
    first, start = front_pages + 1, 0
    while start < len(chapters):
        end, pages = start, 0
        while end < len(chapters) and (
            end == start or pages + chapters[end].pages <= FURNITURE_PAGES
        ):
            pages += chapters[end].pages
            end += 1
        counts = tuple(c.pages for c in chapters[start:end])
        units.append(
            Unit(
                f"furniture of pages {first}-{first + pages - 1}",
                replace(book, chapters=book.chapters[start:end], notices=()),
                furniture=(first, *counts),
            )
        )
        first, start = first + pages, end
    return units
