"""Lay the book out into pages, for the PDFs and for the ePub's page numbers.

In: the resolved book, what it is laid out with (:class:`~presswork.layout.book.Setup`),
the processes, and which editions are wanted. Out:
:class:`Paged`: the page count, where every page begins, the warnings of the layout, what
was laid out rather than taken from the cache, and, where a PDF is wanted, the screen and
print editions (joined meanwhile, in the join's process for a long book).

The pages are laid out in units and joined (:mod:`presswork.layout.book`,
:mod:`presswork.layout.joining`), or, with ``single``, as one WeasyPrint document without
the cache: slower, the reference that the joined layout is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from presswork import ids
from presswork.editions import PrintOrder
from presswork.errors import Diagnostic, ManuscriptError, OutputError, diagnostic
from presswork.layout.book import UNIT_PDF, Setup, unit_layouts
from presswork.layout.joining import (
    Join,
    PDFs,
    join_request,
    warm_join,
    xmp_properties,
)
from presswork.layout.units import LaidOut
from presswork.layout.workers import Workers
from presswork.model import Book, PageStart
from presswork.progress import Progress, Silent, Step
from presswork.styles import font_files, print_edition


@dataclass(frozen=True)
class Paged:
    """The book laid out: its page count and page starts, the layout's warnings, the
    names of the units laid out (the rest came from the cache), the keys of the units it
    used, what was laid out in the book's terms, and its PDFs when wanted
    (:meth:`pdfs`)."""

    pages: int
    starts: tuple[PageStart, ...]
    warnings: tuple[Diagnostic, ...]
    laid_out: tuple[str, ...]
    keys: tuple[str, ...] | None  # None: laid out without the cache
    work: LaidOut
    joined: Callable[[], PDFs] | None = None
    settle: Callable[[], None] = lambda: None  # wait for the PDFs, made or not

    @classmethod
    def nothing(cls, chapters: int) -> Paged:
        """No page laid out (an ePub without a page list), of a book of ``chapters``."""
        return cls(0, (), (), (), None, LaidOut(of_chapters=chapters))

    def pdfs(self) -> PDFs:
        """The screen edition and, where wanted, the print edition."""
        assert self.joined is not None, "no PDF was asked for"
        try:
            return self.joined()
        except BrokenProcessPool:
            message = "the process joining the pages stopped (out of memory?)"
            raise OutputError(diagnostic("PW905", message)) from None


def paged(
    book: Book,
    setup: Setup,
    workers: Workers,
    with_pdf: bool,
    with_print: bool,
    single: bool = False,
    progress: Progress | None = None,
) -> Paged:
    progress = progress or Silent()
    if single:
        return _single(book, setup, with_pdf, with_print, progress)
    return _in_units(book, setup, workers, with_pdf, with_print, progress)


def set_apart(chapters: int, setup: Setup, workers: Workers, with_pdf: bool) -> None:
    """Give a book of ``chapters`` its processes: a long one's front matter and join
    get their own (:meth:`~presswork.layout.workers.Workers.set_apart`). A build calls
    this as soon as it knows how many chapters the book has, before they are read:
    where the cache has pages for the join to open beforehand (a rebuild after an
    edit), the join's process starts then, and is ready to open them once the book is
    read. In a first build it starts once the book is read, rather than take a core from
    reading it."""
    if chapters >= setup.production.apart_from:
        workers.set_apart()
        if with_pdf and setup.store.holds(UNIT_PDF):
            warm_join(workers, font_files(setup.styles))


def _in_units(
    book: Book,
    setup: Setup,
    workers: Workers,
    with_pdf: bool,
    with_print: bool,
    progress: Progress,
) -> Paged:
    set_apart(len(book.chapters), setup, workers, with_pdf)
    fonts = font_files(setup.styles)
    join = Join(workers, fonts) if with_pdf else None
    try:
        layouts = unit_layouts(book, setup, workers, with_pdf, progress, join)
    except BrokenProcessPool:
        message = "a process laying out pages stopped (out of memory?); try fewer --jobs"
        raise OutputError(diagnostic("PW905", message)) from None
    everything = (layouts.front, *layouts.chapters)
    problems = [diagnostic("PW901", f"layout: {w}") for u in everything for w in u.layout_warnings]
    if problems:
        raise OutputError(problems)
    firsts = (1, *layouts.first_pages())
    cut = [(n, first + p) for first, u in zip(firsts, everything, strict=True) for n, p in u.cut]
    _refuse_cut(book, cut, {a for u in everything for a in u.anchors})
    warnings = [
        diagnostic(
            "PW903",
            f"note {note} is set on page {first + note_page}, its call on page {first + call}",
        )
        for first, unit in zip(firsts, everything, strict=True)
        for note, call, note_page in unit.displaced
    ]
    if join is not None:
        written = [w for u in (*everything, *layouts.furniture) for w in u.write_warnings]
        warnings += [diagnostic("PW904", f"writing the PDF: {w}") for w in dict.fromkeys(written)]
        progress.step(Step.JOIN)
        order = _print_order(book, setup) if with_print else None
        screen = setup.production.screen_intent
        join.start(join_request(layouts, book, fonts, setup.store, screen, order, join.opened()))
    return Paged(
        layouts.page_count,
        layouts.page_starts(),
        tuple(warnings),
        layouts.laid_out,
        layouts.keys,
        layouts.work,
        None if join is None else join.result,
        lambda: None if join is None else join.settle(),
    )


def _single(
    book: Book, setup: Setup, with_pdf: bool, with_print: bool, progress: Progress
) -> Paged:
    from presswork.layout import engine
    from presswork.pdf.press import print_pdf
    from presswork.pdf.tags import tagged
    from presswork.render.html import book_html, link_descriptions

    progress.step(Step.PAGES)
    layout = engine.layout_refined(
        lambda refinements: book_html(book, refinements), setup.manuscript, setup.styles
    )
    if layout.warnings:
        raise OutputError([diagnostic("PW901", f"layout: {w}") for w in layout.warnings])
    cut = [(note, page + 1) for note, page in layout.cut_notes()]
    _refuse_cut(book, cut, set(layout.anchor_pages()))
    warnings = [
        diagnostic("PW903", f"note {note} is set on page {page + 1}, its call on page {call + 1}")
        for note, call, page in layout.displaced_notes()
    ]
    screen = printed = None
    if with_pdf:
        progress.step(Step.JOIN)
        meta = book.metadata
        written, messages = engine.write_pdf(layout, meta.identifier, meta.modified)
        warnings += [diagnostic("PW904", f"writing the PDF: {m}") for m in messages]
        screen = tagged(
            written,
            layout.leaders(),
            pack=True,
            descriptions=link_descriptions(book),
            intent=setup.production.screen_intent,
            properties=xmp_properties(book),
        )
        if with_print:
            printed = print_pdf(screen, _print_order(book, setup))
    editions = None if screen is None else (screen, printed)
    return Paged(
        layout.page_count,
        layout.page_starts(),
        tuple(warnings),
        ("book",),
        None,
        LaidOut(tuple(c.id for c in book.chapters), len(book.chapters), True, layout.page_count),
        None if editions is None else lambda: editions,
    )


def _print_order(book: Book, setup: Setup) -> PrintOrder:
    meta = book.metadata
    return PrintOrder(
        print_edition(setup.styles, setup.production),
        meta.signature,
        meta.print_identifier,
        any(chapter.figures for chapter in book.chapters),
    )


def _refuse_cut(book: Book, cut: list[tuple[str, int]], anchors: set[str]) -> None:
    """Refuse notes that a page's notes area cannot hold, rather than print them in part:
    those set above the top of their page (``cut``: note id and page from 1), and those
    WeasyPrint set on no page at all (a note taller than a page, moved on at the end of
    the text, is dropped). Each is named where it was typed."""
    first_cut: dict[str, int] = {}
    for note_id, page in cut:
        first_cut.setdefault(note_id, page)
    problems = []
    for chapter in book.chapters:
        for note in chapter.notes:
            note_id = ids.pdf_note(chapter.id, note.number)
            on = first_cut.get(note_id)
            if on is not None or note_id not in anchors:
                where = "any page's notes area" if on is None else f"the notes area of page {on}"
                message = (
                    f"note [^{note.label}] does not fit in {where}, and a note is not "
                    "continued on the next page: shorten it, or split it"
                )
                source = note.source
                problems.append(diagnostic("PW906", message, source.path, source.line, source.col))
    if problems:
        raise ManuscriptError(problems)
