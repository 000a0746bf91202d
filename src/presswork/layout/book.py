"""Lay out the book unit by unit, in worker processes, through the cache.

In: the resolved book, its manuscript and styles folders, the build's cache and the
processes to lay out in (:mod:`presswork.layout.workers`). Out:
:class:`~presswork.layout.units.Layouts`, a
:class:`~presswork.layout.units.UnitLayout` for each unit of the book's layout (the front
matter, every chapter, the furniture of the chapter pages), and which units had to be
laid out rather than read from the cache.

A chapter's pages do not depend on where in the book it falls. They carry no running
heads or folios (the furniture does, laid out once the page counts are known), and a
left-hand page differs from a right-hand one only in where its text area sits, which the
join corrects by moving the page's content sideways. So the chapters are laid out each on
its own, in worker processes, and a chapter is laid out again only when what its HTML
is made of (or the styles, or presswork) changes. Alongside them, in a process of its
own, the front matter is laid out once, with placeholder page numbers, to learn its length. The
contents' numbers stand in a column of their own in tabular figures, so their values
move nothing: once the chapters' pages are counted, the real numbers are set into that
same layout and it is written. The furniture is laid out in runs of chapters, each as
soon as its chapters' page counts are known: while the later chapters are laid out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from presswork.cache import Store, digest
from presswork.errors import OutputError, diagnostic
from presswork.layout.joining import Join
from presswork.layout.units import (
    Job,
    LaidOut,
    Layouts,
    Unit,
    UnitLayout,
    blanks_before,
    placeholder_folios,
    unit_layout,
)
from presswork.layout.workers import Workers
from presswork.model import Book
from presswork.progress import Progress, Silent, Step
from presswork.render import html
from presswork.render.html import Refinements
from presswork.styles import Production

UNIT, UNIT_PDF = "unit", "unit-pdf"  # the cache's kinds: a unit's record, its PDF


@dataclass
class _Batch:
    """Units being laid out: those the cache has, and the jobs for the others."""

    runner: _Runner
    units: Sequence[Unit]
    keys: list[str]
    found: dict[int, UnitLayout]
    futures: dict[int, Future[UnitLayout]] = field(default_factory=dict)

    @property
    def missing(self) -> list[int]:
        return [i for i in range(len(self.units)) if i not in self.found]

    def cached_pdfs(self) -> dict[str, bytes]:
        """The PDFs of the units found in the cache, by their keys."""
        return {self.keys[i]: self.found[i].pdf for i in sorted(self.found) if self.found[i].pdf}

    def submit(self, key_texts: list[str], step: Step | None) -> None:
        """Hand the units the cache lacks to the workers, counting them as ``step``'s
        things (the chapters, where there are any); with no step, counting nothing."""
        runner, missing = self.runner, self.missing
        if not missing:
            return
        chapters = {i for i in missing if self.units[i].chapter is not None}
        if step is Step.LAYOUT and not chapters:
            step = Step.MEASURE  # the front matter's length alone: nothing to count
        counted = set() if step is None else chapters or set(missing)
        if step is not None:
            runner.progress.step(step, None if step is Step.MEASURE else len(counted))
        runner.workers.expect(sum(self.units[i].kind == "layout" for i in missing))
        for i in missing:
            unit = self.units[i]
            job = Job(
                unit,
                runner.manuscript,
                runner.styles,
                runner.environment,
                runner.measured if unit.folios is not None else "",
                runner.laid_out_from(unit, key_texts[i]),
            )
            self.futures[i] = runner.workers.submit(unit.kind, unit_layout, job)
            if i in counted:
                self.futures[i].add_done_callback(lambda _: runner.progress.advance())
        runner.laid_out += [self.units[i] for i in missing]

    def pending(self) -> list[Future[UnitLayout]]:
        """The layouts still being made."""
        return [future for future in self.futures.values() if not future.done()]

    def in_order(self) -> Iterator[UnitLayout]:
        """Every unit laid out, in order, each as soon as it and those before it are;
        those laid out now are kept in the cache."""
        for index in range(len(self.units)):
            future = self.futures.get(index)
            if future is not None and index not in self.found:
                layout = future.result()
                self.runner.store.write(UNIT_PDF, self.keys[index], layout.pdf)
                record = json.dumps(layout.record(), sort_keys=True, separators=(",", ":"))
                self.runner.store.write(UNIT, self.keys[index], record.encode("utf-8"))
                self.found[index] = layout
            yield self.found[index]

    def results(self) -> list[UnitLayout]:
        """Every unit laid out, in order (see :meth:`in_order`)."""
        return list(self.in_order())


@dataclass
class _Runner:
    """Lays out units, from the cache when it can, in the workers' processes: the front
    matter in a process of its own, the rest in the layout pool."""

    manuscript: Path
    styles: Path
    environment: str
    settings: str  # the book's identifier: what reaches a unit's PDF besides its HTML
    store: Store
    workers: Workers
    with_pdf: bool
    progress: Progress
    laid_out: list[Unit] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    placeholder_html: str | None = None
    measured: str = ""  # the key of the front matter laid out with placeholder numbers

    def key_text(self, unit: Unit) -> str:
        """What a unit is laid out from, for its key: for a chapter, what its HTML is
        made of (its HTML is made where it is laid out, and only if it is); for the
        furniture, its HTML; for the front matter, its HTML with placeholder numbers
        (which it is always laid out with) and the numbers then set into it (rendered
        once for both the measure and the front matter)."""
        if unit.chapter is not None:
            return "chapter\0" + html.chapter_key(unit.book, unit.chapter)
        if unit.folios is None:
            return unit.html(Refinements())
        if self.placeholder_html is None:
            measuring = replace(unit, folios=placeholder_folios(unit.book), measure=True)
            self.placeholder_html = measuring.html(Refinements())
        if unit.measure:
            return self.placeholder_html
        return self.placeholder_html + "\0numbers " + json.dumps(unit.folios, sort_keys=True)

    def laid_out_from(self, unit: Unit, key_text: str) -> str:
        """The HTML a unit is laid out from, given its :meth:`key_text` ("" where the
        worker is to make it)."""
        if unit.chapter is not None:
            return ""
        return (self.placeholder_html or "") if unit.folios is not None else key_text

    def look_up(self, units: Sequence[Unit]) -> tuple[_Batch, list[str]]:
        """The units, those the cache has read from it; and the text of each one's key."""
        texts = [self.key_text(u) for u in units]
        keys = [
            digest(
                self.environment,
                # WeasyPrint names an image in the PDF after its URL, which holds the
                # manuscript folder's path.
                self.settings
                + (f"\0{self.manuscript.resolve()}" if u.images else "")
                + ("\0measured only" if u.measure else ""),
                text,
                files=u.images,
            )
            for u, text in zip(units, texts, strict=True)
        ]
        self.keys += keys
        for unit, key in zip(units, keys, strict=True):
            if unit.measure:
                self.measured = key
        found: dict[int, UnitLayout] = {}
        for index, key in enumerate(keys):
            layout = self._cached(key)
            if layout is not None:
                found[index] = layout
        return _Batch(self, units, keys, found), texts

    def _cached(self, key: str) -> UnitLayout | None:
        record = self.store.read(UNIT, key)
        pdf = self.store.read(UNIT_PDF, key) if self.with_pdf else b""
        if record is None or pdf is None:
            return None
        with suppress(ValueError, KeyError, TypeError):
            return UnitLayout.from_record(json.loads(record.decode("utf-8")), pdf)
        return None

    def start(self, units: Sequence[Unit]) -> _Batch:
        """The units looked up in the cache, the others handed to the workers, counted
        as no step's."""
        batch, texts = self.look_up(units)
        batch.submit(texts, None)
        return batch


@dataclass(frozen=True)
class Setup:
    """What a book is laid out with: its manuscript folder (the base of its URLs), the
    styles folder and the digest of the styles and versions
    (:func:`presswork.cache.environment_key`), the cache, and the numbers of
    ``styles/production.toml``."""

    manuscript: Path
    styles: Path
    environment: str
    store: Store
    production: Production


def unit_layouts(
    book: Book,
    setup: Setup,
    workers: Workers,
    with_pdf: bool = True,
    progress: Progress | None = None,
    join: Join | None = None,
) -> Layouts:
    """Lay out every unit of ``book``. With ``with_pdf`` false, cached units are read
    without their PDFs (enough for the ePub's page numbers) and no furniture is made.
    ``join``: a join in a process of its own, which opens the chapters found in the
    cache while the others are laid out."""
    runner = _Runner(
        setup.manuscript,
        setup.styles,
        setup.environment,
        book.metadata.identifier,
        setup.store,
        workers,
        with_pdf,
        progress or Silent(),
    )
    # The contents print the pages the chapters begin on, which follow the front
    # matter: its length is measured with placeholder numbers alongside the chapters.
    measure = Unit(
        "length of the front matter", book, folios=placeholder_folios(book), measure=True
    )
    chapter_units = [
        Unit(f"chapter {c.id}", replace(book, chapters=(c,), notices=()), chapter=c)
        for c in book.chapters
    ]
    batch, texts = runner.look_up([measure, *chapter_units])
    if join is not None and batch.missing:
        join.prefetch({k: v for k, v in batch.cached_pdfs().items() if k != runner.measured})
    batch.submit(texts, Step.LAYOUT)
    right = book.metadata.chapter_start == "right"
    run_pages = setup.production.furniture_pages
    laid = batch.in_order()
    measured = next(laid)
    # With more than one process, the furniture of a run of chapters is laid out as soon
    # as their page counts are known, while later chapters are being laid out.
    chapters: list[UnitLayout] = []
    furnishing: list[_Batch] = []
    furnished = 0  # the chapters whose furniture is laid out, or being laid out

    def furniture(whole: bool) -> list[Unit]:
        nonlocal furnished
        blanks = blanks_before(measured.pages, [c.pages for c in chapters], right)
        units = _furniture(book, measured.pages, chapters, blanks, run_pages, furnished, whole)
        furnished += sum(len(unit.book.chapters) for unit in units)
        return units

    for chapter in laid:
        chapters.append(chapter)
        if with_pdf and workers.parallel:
            furnishing += [runner.start([unit]) for unit in furniture(whole=False)]
    blanks = blanks_before(measured.pages, [c.pages for c in chapters], right)
    folios = _folios(measured.pages, chapters, blanks)
    rest = furniture(whole=True) if with_pdf else []
    last, texts = runner.look_up([Unit("front matter", book, folios=folios), *rest])
    earlier = [future for batch in furnishing for future in batch.pending()]
    if earlier or last.missing:
        runner.progress.step(Step.FURNITURE, len(earlier) + len(last.missing))
    last.submit(texts, None)
    for future in (*earlier, *last.futures.values()):
        future.add_done_callback(lambda _: runner.progress.advance())
    front, *late = last.results()
    furniture_layouts = [layout for batch in furnishing for layout in batch.results()] + late
    if front.pages != measured.pages:  # the numbers are set into the measured layout
        message = "layout: the front matter's length changed with its page numbers"
        raise OutputError(diagnostic("PW901", message))
    chapter_pages = sum(c.pages for c in chapters) + sum(blanks)
    if sum(f.pages for f in furniture_layouts) != chapter_pages and with_pdf:
        message = "layout: the furniture has not one page for each page of the chapters"
        raise OutputError(diagnostic("PW901", message))
    return Layouts(
        front,
        tuple(chapters),
        tuple(furniture_layouts),
        tuple(unit.name for unit in runner.laid_out),
        tuple(runner.keys),
        blanks,
        LaidOut.of(runner.laid_out, len(book.chapters)),
    )


def keep_only_used(store: Store, keys: Sequence[str]) -> None:
    """After a full build: the cache keeps the units it used, and nothing an older
    presswork kept (the ePub alone uses fewer units, and keeps them all)."""
    store.keep_only(UNIT, keys)
    store.keep_only(UNIT_PDF, keys)
    store.tidy()


def _folios(front_pages: int, chapters: list[UnitLayout], blanks: Sequence[int]) -> dict[str, str]:
    folios: dict[str, str] = {}
    first = front_pages + 1
    for chapter, blank in zip(chapters, blanks, strict=True):
        first += blank
        for anchor, page in chapter.anchors.items():
            folios[anchor] = str(first + page)
        first += chapter.pages
    return folios


def _furniture(
    book: Book,
    front_pages: int,
    chapters: Sequence[UnitLayout],
    blanks: Sequence[int],
    run_pages: int,
    start: int = 0,
    whole: bool = True,
) -> list[Unit]:
    """The furniture of the chapters' pages (and of the blank pages before them), in
    units of whole chapters of about ``run_pages`` pages, so that they are laid out in
    parallel and a change of page count lays out again only the units from there on.
    From the chapter ``start`` on; ``chapters``: the first of the book's chapters laid
    out, all of them with ``whole``, else only the units they decide (a unit ends where
    the next chapter would take it past ``run_pages``: a unit that may still go on with
    a chapter not laid out yet is left for later)."""
    units: list[Unit] = []
    spans = [blank + chapter.pages for blank, chapter in zip(blanks, chapters, strict=True)]
    first = front_pages + 1 + sum(spans[:start])
    while start < len(chapters):
        end, pages = start, 0
        while end < len(chapters) and (end == start or pages + spans[end] <= run_pages):
            pages += spans[end]
            end += 1
        if end == len(chapters) and not whole:
            break
        counts = tuple(c.pages for c in chapters[start:end])
        units.append(
            Unit(
                f"furniture of pages {first}-{first + pages - 1}",
                replace(book, chapters=book.chapters[start:end], notices=()),
                furniture=(first, *counts),
                blanks=tuple(blanks[start:end]),
            )
        )
        first, start = first + pages, end
    return units
