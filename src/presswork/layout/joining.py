"""The join of the laid-out units, in the process that joins, driven from the build.

In: the book's :class:`~presswork.layout.units.Layouts` (or the parts found in the cache,
beforehand), the font files, the build's cache and the colours and sheet of the
editions. Out: a :class:`Join`
whose :meth:`Join.result` is the screen edition and, when asked for, the print edition
(:mod:`presswork.pdf.join`).

The join takes two steps in the process of kind ``join`` (:mod:`presswork.layout.workers`;
the calling process itself for a short book): :func:`start_join` joins the pages and
trees and says which font subsets the merge needs; those are made meanwhile in the layout
processes, which have fontTools' subsetter loaded and nothing else to do by then; then
:func:`finish_join` merges the fonts and saves the editions. Between the two, the book
being joined is held by this module's :data:`_HERE`, the one join of its process. For a
book set apart, a thread of the build takes the join from step to step as each ends, so
that it does not wait for the build to write the ePub.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from presswork.cache import Store
from presswork.editions import PrintOrder
from presswork.layout.workers import Workers
from presswork.styles import OutputIntent

if TYPE_CHECKING:  # pikepdf loads only in the process that joins
    from presswork.layout.units import Layouts
    from presswork.model import Book
    from presswork.pdf.join import BookJoin, OpenedPart

PDFs = tuple[bytes, bytes | None]  # the screen and print editions


@dataclass(frozen=True)
class JoinRequest:
    """What the join needs, as plain data for the process that joins: the front
    matter's PDF and page count; each chapter's PDF (empty where the join's process has
    it open already), how far to move each of its pages, whether it has figures, its
    key, and the blank pages before it; the furniture's PDFs (a page for each page of
    the book after the front matter); the font files; the book's date; the cache; the screen
    edition's colour space; what the print edition is made with, where it is wanted;
    what each link says; what the XMP says of the book."""

    front: tuple[bytes, int]
    chapters: tuple[tuple[bytes, tuple[float, ...], bool, str, int], ...]
    furniture: tuple[bytes, ...]
    fonts: tuple[Path, ...]
    date: datetime
    store: Store
    screen_intent: OutputIntent
    order: PrintOrder | None
    descriptions: dict[str, str]
    # What the screen edition's XMP says of the book besides WeasyPrint's: its
    # identifier and rights (presswork.pdf.xmp).
    properties: dict[tuple[str, str], str] = field(default_factory=dict)


def join_request(
    layouts: Layouts,
    book: Book,
    fonts: Sequence[Path],
    store: Store,
    screen_intent: OutputIntent,
    order: PrintOrder | None,
    opened: frozenset[str] = frozenset(),
) -> JoinRequest:
    """The request to join ``layouts``; the chapters whose keys are ``opened`` in the
    join's process go by their keys alone (each opened once: a second chapter of the
    same key goes with its PDF)."""
    # Here, in the build: the process that joins starts without the templates.
    from presswork.render.html import link_descriptions

    # Where the text area sits on each chapter page of the book: a chapter's page is
    # moved there from where it was laid out.
    text_x = [x for unit in layouts.furniture for x in unit.text_x]
    unopened = set(opened)
    chapters = []
    page = 0
    for chapter, model, key, blank in zip(
        layouts.chapters, book.chapters, layouts.chapter_keys, layouts.blanks_before(), strict=True
    ):
        page += blank
        shifts = tuple(round(text_x[page + i] - x, 4) for i, x in enumerate(chapter.text_x))
        pdf = b"" if key in unopened else chapter.pdf
        unopened.discard(key)
        chapters.append((pdf, shifts, bool(model.figures), key, blank))
        page += chapter.pages
    return JoinRequest(
        (layouts.front.pdf, layouts.front.pages),
        tuple(chapters),
        tuple(unit.pdf for unit in layouts.furniture),
        tuple(fonts),
        book.metadata.modified,
        store,
        screen_intent,
        order,
        link_descriptions(book),
        xmp_properties(book),
    )


def xmp_properties(book: Book) -> dict[tuple[str, str], str]:
    """The screen edition's identifier (its own ISBN where it has one) and the book's
    rights, for its XMP metadata."""
    from presswork.config.provenance import edition_identifier

    meta = book.metadata
    found = {("dc", "identifier"): edition_identifier(meta.identifier, "pdf", meta.isbns)}
    if meta.rights:
        found[("dc", "rights")] = meta.rights
    return found


# In the process that joins ------------------------------------------------------------


@dataclass
class _Here:
    """The join of this process: the book being joined between its two steps, the parts
    opened for the next join, and the book last joined, let go of when the next join
    starts rather than before its editions are handed back (freeing the objects of a
    500-page book takes a tenth of a second, and a process that ends leaves without
    freeing them)."""

    joining: tuple[BookJoin, JoinRequest] | None = None
    opened: dict[str, OpenedPart] = field(default_factory=dict)
    spent: BookJoin | None = None

    def begin(self) -> None:
        self.spent = None
        if self.joining is not None:  # a join that never finished (its build failed)
            self.joining[0].close()
            self.joining = None

    def let_go_of_opened(self) -> None:
        while self.opened:  # opened for a join that did not take them
            self.opened.popitem()[1].pdf.close()


_HERE = _Here()


def prepare(fonts: tuple[Path, ...]) -> None:
    """Load pikepdf and fontTools, and read the font files, in the join's process while
    pages are laid out (see :func:`presswork.pdf.fontmerge.prepare`)."""
    from presswork.pdf.fontmerge import prepare as read_originals

    read_originals(fonts)


def warm_join(workers: Workers, fonts: Sequence[Path]) -> None:
    """Have the join's process, where it has one, load what joins need and read the font
    files, once (:func:`prepare`)."""
    workers.warm(prepare, tuple(fonts), kind="join")


def prefetch(parts: dict[str, bytes]) -> None:
    """Open parts of the join to come, by their keys (see
    :func:`presswork.pdf.join.open_part`)."""
    from presswork.pdf.join import open_part

    for key, data in parts.items():
        if key not in _HERE.opened:
            _HERE.opened[key] = open_part(data)


def start_join(request: JoinRequest) -> dict[Path, list[int]] | PDFs:
    """Join the book's pages and trees here, and say which font subsets the merge still
    needs; where it needs none (they are kept from an earlier join), finish it here and
    now: the editions."""
    from presswork.pdf.join import BookJoin, Part

    _HERE.begin()
    front, pages = request.front
    parts = [Part(front, (0.0,) * pages, furnished=False)]
    parts += [
        Part(pdf, shifts, furnished=True, figures=figures, key=key, blanks=blanks)
        for pdf, shifts, figures, key, blanks in request.chapters
    ]
    try:
        book = BookJoin(
            parts,
            request.furniture,
            request.fonts,
            request.date,
            _HERE.opened,
            request.descriptions,
            request.properties,
        )
    finally:
        _HERE.let_go_of_opened()
    _HERE.joining = (book, request)
    needed = book.subsets(request.store)
    return needed if needed else finish_join()


def finish_join() -> PDFs:
    """The editions of the book :func:`start_join` joined here."""
    assert _HERE.joining is not None, "finish_join without start_join"
    book, request = _HERE.joining
    _HERE.joining = None
    try:
        joined = book.finish(request.store, request.screen_intent, request.order)
    finally:
        book.close()
        _HERE.spent = book
    return joined.screen, joined.print


def make_subset(path: Path, gids: list[int], store: Store) -> bool:
    from presswork.pdf.subsets import keep_subset  # where fontTools' subsetter is loaded

    return keep_subset(path, gids, store)


# In the build -------------------------------------------------------------------------


class Join:
    """A join of the book's units in the workers' process of kind ``join``: the chapters
    found in the cache are opened there beforehand (:meth:`prefetch`); once the book is
    laid out, :meth:`start` hands it the request and the join goes from step to step.
    Where the join has a process of its own, a thread of this one drives it, so that it
    does not wait for this process to write the ePub; otherwise it goes on when its
    result is asked for."""

    def __init__(self, workers: Workers, fonts: Sequence[Path]) -> None:
        self.workers = workers
        self.fonts = tuple(fonts)
        self.prefetched: list[tuple[frozenset[str], Future[None]]] = []
        self.started: Future[dict[Path, list[int]] | PDFs] | None = None
        self.store: Store | None = None
        self.done: Future[PDFs] | None = None
        warm_join(workers, self.fonts)

    def prefetch(self, parts: dict[str, bytes]) -> None:
        """Open these parts (by their keys) in the join's process, where it has one."""
        if self.workers.apart and parts:
            self.prefetched.append((frozenset(parts), self.workers.submit("join", prefetch, parts)))

    def opened(self) -> frozenset[str]:
        """The keys of the parts the join's process has open."""
        return frozenset().union(
            *(keys for keys, future in self.prefetched if future.exception() is None)
        )

    def start(self, request: JoinRequest) -> None:
        self.store = request.store
        self.started = self.workers.submit("join", start_join, request)
        if self.workers.apart:
            self.done = Future()
            threading.Thread(target=self._drive, name="presswork-join", daemon=True).start()

    def result(self) -> PDFs:
        """The screen and print editions."""
        return self._steps() if self.done is None else self.done.result()

    def settle(self) -> None:
        """Wait for the join to end, whatever its outcome (a build that failed meanwhile
        leaves no step of it to run after the build)."""
        if self.done is not None:
            wait([self.done])

    def _drive(self) -> None:
        assert self.done is not None
        try:
            self.done.set_result(self._steps())
        except BaseException as exc:  # handed to whoever asks for the result
            self.done.set_exception(exc)

    def _steps(self) -> PDFs:
        assert self.started is not None and self.store is not None
        needed = self.started.result()
        if isinstance(needed, tuple):  # finished at once
            return needed
        made = [
            self.workers.submit("layout", make_subset, path, gids, self.store)
            for path, gids in needed.items()
        ]
        for future in made:
            future.result()
        return self.workers.submit("join", finish_join).result()
