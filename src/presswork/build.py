"""Build the editions: gather everything first, then write.

In: a manuscript folder, an output folder and the formats wanted. Out: the editions
written into the output folder, each replacing the old file in one atomic rename only
once every requested edition has been made, so a failed build leaves the folder as it
was. Reading and checking happen before anything is laid out. The pages are laid out in
units (:mod:`presswork.units`, through the cache in the output folder) and joined into the
screen PDF (:mod:`presswork.join`); the print PDF and the ePub's page numbers come from
those same pages.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from presswork import cache, units
from presswork import release as release_files
from presswork.check import check
from presswork.config import BookConfig
from presswork.cover import CoverText, render_cover
from presswork.editions import Edition, makes_pdf
from presswork.epub import render_epub
from presswork.errors import (
    Diagnostic,
    ManuscriptError,
    OutputError,
    Severity,
    error,
    warning,
)
from presswork.html import anchor_map
from presswork.model import Book
from presswork.pagination import PageStart, page_starts, with_page_breaks
from presswork.provenance import Provenance
from presswork.readcache import Memo
from presswork.styles import styles_dir
from presswork.workers import Workers, default_jobs


@dataclass(frozen=True)
class Artifact:
    """A file written: an edition (with its pages) or a release file."""

    path: Path
    size: int
    pages: int | None


@dataclass(frozen=True)
class Built:
    """What a build wrote, which units of the layout it laid out (the rest came from the
    cache) and how many units the book has."""

    artifacts: list[Artifact]
    laid_out: tuple[str, ...]
    units: int


Progress = Callable[[str], None]
# From how many chapters the front matter and the join get processes of their own (see
# presswork.workers): a report's contents is the largest layout of the book, and its join
# the largest process; a short book's are smaller than the cost of starting a process.
APART_FROM = 32
COVER = "cover.png"  # the ePub's cover, kept in the cache for the same text and styles


@dataclass(frozen=True)
class Loaded:
    config: BookConfig
    book: Book
    provenance: Provenance


def load_book(
    manuscript: Path,
    warn: Callable[[Diagnostic], None] = lambda d: None,
    memo: Path | None = None,
) -> Loaded:
    """Check the manuscript and resolve it into the book model; raise on any error.
    ``memo``: a folder for the check to keep what it learns slowly (see
    :mod:`presswork.readcache`), written only when the check passed."""
    kept = None if memo is None else Memo(memo)
    checked = check(manuscript, kept)
    findings = [d for d in checked.report.sorted() if d.severity is not Severity.INFO]
    if (
        checked.report.has_errors
        or checked.config is None
        or checked.book is None
        or checked.provenance is None
    ):
        raise ManuscriptError(findings)
    for diagnostic in findings:
        warn(diagnostic)
    if kept is not None:
        kept.save()
    return Loaded(checked.config, checked.book, checked.provenance)


def build(
    manuscript: Path,
    output: Path,
    editions: Sequence[Edition] = tuple(Edition),
    progress: Progress = lambda step: None,
    warn: Callable[[Diagnostic], None] = lambda diagnostic: None,
    release: bool = False,
    jobs: int | None = None,
    single: bool = False,
    workers: Workers | None = None,
) -> Built:
    """Build ``editions``; with ``release``, also write SHA256SUMS and the build record.

    The pages are laid out unit by unit in ``jobs`` processes (default: one per core),
    through the cache in ``output``, and joined; with ``single``, as one document, without
    the layout cache (slower: the reference the joined layout is tested against).
    ``workers``: processes kept from an earlier build (``presswork watch``) rather than
    started for this one."""
    needs_pdf = makes_pdf(editions)
    if workers is None:
        with Workers(1 if single else jobs or default_jobs()) as own:
            return build(manuscript, output, editions, progress, warn, release, jobs, single, own)
    styles = styles_dir()
    environment = cache.environment_key(styles)  # the styles' and tools' digest, read once
    if needs_pdf and not single:
        workers.warm(Path(manuscript).resolve(), styles)
    progress("checking the manuscript")
    loaded = load_book(manuscript, warn, Path(output) / cache.CACHE_DIR)
    book = loaded.book
    if len(book.chapters) >= APART_FROM and not single:
        workers.set_apart(join=needs_pdf)
        if needs_pdf and workers.apart:
            workers.submit("join", _prepare_join, tuple(font_files(styles)))
    with_print = Edition.PRINT in editions
    if single:
        paged = _single(loaded, styles, needs_pdf, with_print, progress)
    else:
        paged = _in_units(
            loaded, styles, environment, output, workers, needs_pdf, with_print, progress
        )
    try:
        return _write_editions(
            loaded, paged, editions, output, styles, environment, release, warn, progress
        )
    finally:
        paged.settle()


def _write_editions(
    loaded: Loaded,
    paged: _Paged,
    editions: Sequence[Edition],
    output: Path,
    styles: Path,
    environment: str,
    release: bool,
    warn: Callable[[Diagnostic], None],
    progress: Progress,
) -> Built:
    """Write the ePub (while the PDFs are joined), take the PDFs and save every edition."""
    book = loaded.book
    needs_pdf = makes_pdf(editions)
    for diagnostic in paged.warnings:
        warn(diagnostic)
    pages, starts = paged.pages, paged.starts
    slug = loaded.config.slug
    epub = None
    if Edition.EPUB in editions:  # while the PDFs are joined
        meta = book.metadata
        cover_text = CoverText(meta.title, meta.subtitle, meta.publisher)
        cover_key = cache.unit_key(environment, repr(cover_text), (), "cover")
        cover = cache.load_file(output, COVER, cover_key)
        if cover is None:
            progress("drawing the cover")
            cover = render_cover(cover_text, styles)
            cache.store_file(output, COVER, cover_key, cover)
        progress("writing the ePub")
        marked = with_page_breaks(book, starts, anchor_map(book))
        epub = release_files.Edition(
            Edition.EPUB.file_name(slug), "epub", render_epub(marked, styles, cover), pages
        )
    made: list[release_files.Edition] = []
    if paged.pdfs is not None:
        try:
            screen, printed = paged.pdfs()
        except BrokenProcessPool:
            message = "the process joining the pages stopped (out of memory?)"
            raise OutputError(error("PW905", message)) from None
        if Edition.PDF in editions:
            made.append(release_files.Edition(Edition.PDF.file_name(slug), "pdf", screen, pages))
        if Edition.PRINT in editions and printed is not None:
            made.append(
                release_files.Edition(Edition.PRINT.file_name(slug), "print", printed, pages)
            )
    if epub is not None:
        made.append(epub)
    files = {edition.file: edition.data for edition in made}
    if release:
        progress("writing checksums and the build record")
        files[release_files.CHECKSUMS] = release_files.checksums(made)
        files[release_files.RECORD] = release_files.record(made, loaded.provenance)
    progress("saving")
    _write_all(output, files)
    if paged.keys is not None and needs_pdf:
        # A full build keeps the units it used; the ePub alone, using fewer, keeps all.
        cache.prune(output, paged.keys)
    return Built(
        [Artifact(Path(output) / e.file, len(e.data), e.pages) for e in made]
        + [
            Artifact(Path(output) / name, len(files[name]), None)
            for name in (release_files.CHECKSUMS, release_files.RECORD)
            if name in files
        ],
        laid_out=paged.laid_out,
        units=paged.units,
    )


@dataclass(frozen=True)
class _JoinRequest:
    """What the join needs, as plain data for the process that joins: the front
    matter's PDF and page count; each chapter's PDF (empty where the join's process has
    it open already), how far to move each of its pages, whether it has figures, and its
    key; the furniture's PDFs; the font files; the book's date; the folder keeping font
    subsets; whether to make the print edition."""

    front: tuple[bytes, int]
    chapters: tuple[tuple[bytes, tuple[float, ...], bool, str], ...]
    furniture: tuple[bytes, ...]
    fonts: tuple[Path, ...]
    date: datetime
    subsets: Path
    with_print: bool


PDFs = tuple[bytes, bytes | None]  # the screen and print editions


def _start_join(request: _JoinRequest) -> dict[Path, list[int]] | PDFs:
    """Join the units' pages in this process (the join's) and say which font subsets the
    merge still needs (see :func:`presswork.join.start`); where it needs none (they are
    kept from an earlier join), finish it here and now: the editions."""
    from presswork import join  # pikepdf loads only to make a PDF

    front, pages = request.front
    parts = [join.Part(front, (0.0,) * pages, furnished=False)]
    parts += [
        join.Part(pdf, shifts, furnished=True, figures=figures, key=key)
        for pdf, shifts, figures, key in request.chapters
    ]
    needed = join.start(
        parts,
        request.furniture,
        request.fonts,
        request.date,
        subsets=request.subsets,
        with_print=request.with_print,
    )
    return needed if needed else _finish_join()


def _finish_join() -> PDFs:
    """The screen and print editions of the book :func:`_start_join` joined here."""
    from presswork import join

    joined = join.finish()
    return joined.screen, joined.print


def _prepare_join(fonts: tuple[Path, ...]) -> None:
    """Read the font files in the join's process while pages are laid out (see
    :func:`presswork.fontmerge.prepare`)."""
    from presswork.fontmerge import prepare

    prepare(fonts)


def _prefetch(parts: dict[str, bytes]) -> None:
    """Open parts of the join to come in the join's process (see
    :func:`presswork.join.prefetch`)."""
    from presswork import join

    join.prefetch(parts)


def _keep_subset(path: Path, gids: list[int], subsets: Path) -> bool:
    from presswork.fontmerge import keep_subset  # where fontTools' subsetter is loaded

    return keep_subset(path, gids, subsets)


class _Join:
    """The join under way: started in the join's process, its fonts subset in the
    layout processes (which have fontTools' subsetter loaded, and nothing else to do by
    then), finished in the join's process.

    Where the join has a process of its own, a thread of this one takes it from step to
    step as each ends, so that it does not wait for this process to write the ePub.
    Otherwise it goes on when its result is asked for."""

    def __init__(
        self, workers: Workers, started: Future[dict[Path, list[int]] | PDFs], subsets: Path
    ) -> None:
        self.workers = workers
        self.started = started
        self.subsets = subsets
        self.done: Future[PDFs] | None = None
        if workers.apart:
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
        needed = self.started.result()
        if isinstance(needed, tuple):  # finished at once
            return needed
        made = [
            self.workers.submit("layout", _keep_subset, path, gids, self.subsets)
            for path, gids in needed.items()
        ]
        for future in made:
            future.result()
        return self.workers.submit("join", _finish_join).result()


@dataclass(frozen=True)
class _Paged:
    """The book laid out: its PDFs (when wanted; joined meanwhile in another process),
    page count and page starts."""

    pdfs: Callable[[], PDFs] | None
    pages: int
    starts: tuple[PageStart, ...]
    warnings: list[Diagnostic]
    laid_out: tuple[str, ...]
    units: int
    keys: tuple[str, ...] | None
    settle: Callable[[], None] = lambda: None  # wait for the PDFs, made or not


def _in_units(
    loaded: Loaded,
    styles: Path,
    environment: str,
    output: Path,
    workers: Workers,
    needs_pdf: bool,
    with_print: bool,
    progress: Progress,
) -> _Paged:
    book = loaded.book
    # A book joined in a process of its own: the units found in the cache are opened
    # there while the others are laid out.
    prefetched: list[tuple[frozenset[str], Future[None]]] = []

    def prefetch(parts: dict[str, bytes]) -> None:
        if needs_pdf and workers.apart and parts:
            prefetched.append((frozenset(parts), workers.submit("join", _prefetch, parts)))

    try:
        layouts = units.lay_out(
            book,
            loaded.config.root,
            styles,
            environment,
            output,
            workers,
            with_pdf=needs_pdf,
            progress=progress,
            cached=prefetch,
        )
    except BrokenProcessPool:
        message = "a process laying out pages stopped (out of memory?); try fewer --jobs"
        raise OutputError(error("PW905", message)) from None
    everything = (layouts.front, *layouts.chapters)
    problems = [error("PW901", f"layout: {w}") for u in everything for w in u.layout_warnings]
    if problems:
        raise OutputError(problems)
    firsts = (1, *layouts.first_pages())
    warnings = [
        warning(
            "PW903",
            f"note {note} is set on page {first + note_page}, its call on page {first + call}",
        )
        for first, unit in zip(firsts, everything, strict=True)
        for note, call, note_page in unit.displaced
    ]
    joined: _Join | None = None
    if needs_pdf:
        furniture = layouts.furniture
        written = [w for u in (*everything, *furniture) for w in u.write_warnings]
        warnings += [warning("PW904", f"writing the PDF: {w}") for w in dict.fromkeys(written)]
        progress("joining the pages" + (", adding bleed and crop marks" if with_print else ""))
        # Where the text area sits on each chapter page of the book: a chapter's page
        # is moved there from where it was laid out.
        text_x = [x for unit in furniture for x in unit.text_x]
        # The parts the join's process has open already go by their keys alone (each
        # opened once: a second chapter of the same key goes with its PDF).
        opened = set().union(*(keys for keys, future in prefetched if future.exception() is None))
        chapters = []
        page = 0
        for chapter, source, key in zip(
            layouts.chapters, book.chapters, layouts.chapter_keys, strict=True
        ):
            shifts = tuple(round(text_x[page + i] - x, 4) for i, x in enumerate(chapter.text_x))
            pdf = b"" if key in opened else chapter.pdf
            opened.discard(key)
            chapters.append((pdf, shifts, bool(source.figures), key))
            page += chapter.pages
        request = _JoinRequest(
            (layouts.front.pdf, layouts.front.pages),
            tuple(chapters),
            tuple(unit.pdf for unit in furniture),
            tuple(font_files(styles)),
            book.metadata.modified,
            output / cache.FONTS_DIR,
            with_print,
        )
        started = workers.submit("join", _start_join, request)
        joined = _Join(workers, started, request.subsets)
    return _Paged(
        None if joined is None else joined.result,
        layouts.page_count,
        layouts.page_starts(),
        warnings,
        layouts.laid_out,
        len(layouts.keys),
        layouts.keys,
        lambda: None if joined is None else joined.settle(),
    )


def _single(
    loaded: Loaded, styles: Path, needs_pdf: bool, with_print: bool, progress: Progress
) -> _Paged:
    from presswork import pdf
    from presswork.pdftags import finish

    progress("laying out the pages")
    book = loaded.book
    layout = pdf.lay_out_book(book, loaded.config.root, styles)
    if layout.warnings:
        raise OutputError([error("PW901", f"layout: {w}") for w in layout.warnings])
    warnings = [
        warning("PW903", f"note {note} is set on page {page + 1}, its call on page {call + 1}")
        for note, call, page in layout.displaced_notes()
    ]
    screen = printed = None
    if needs_pdf:
        progress("writing the screen PDF")
        written, messages = pdf.screen_pdf(layout, book.metadata.identifier, book.metadata.modified)
        warnings += [warning("PW904", f"writing the PDF: {m}") for m in messages]
        screen = finish(written, layout.leaders(), pack=True)
        if with_print:
            progress("adding bleed and crop marks")
            printed = pdf.print_pdf(screen)
    return _Paged(
        None if screen is None else lambda: (screen, printed),
        layout.page_count,
        page_starts(layout.document),
        warnings,
        ("book",),
        1,
        None,
    )


def font_files(styles: Path) -> list[Path]:
    """The font files shipped in the styles folder."""
    return sorted(p for p in styles.rglob("*") if p.suffix.lower() in {".ttf", ".otf"})


def _write_all(output: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary file beside its target, then rename them all."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            error("PW902", f"cannot create the output folder: {exc.strerror}", output)
        ) from None
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            target = output / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).chmod(0o644)
        for temporary_path, target in staged:
            temporary_path.replace(target)
    except OSError as exc:
        raise OutputError(
            error("PW902", f"cannot write the editions: {exc.strerror}", output)
        ) from None
    finally:
        # Interrupted or failed: no half-written file stays behind. (After the renames
        # the temporary names no longer exist.)
        for temporary_path, _ in staged:
            temporary_path.unlink(missing_ok=True)
