"""Build the editions: gather everything first, then write.

In: a :class:`BuildRequest` (manuscript and output folders, the editions wanted, whether
to write a release), and the processes to lay out in. Out: the editions written into
the output folder, each replacing the old file in one atomic rename only once every
requested edition has been made, so a failed build leaves the folder as it was. The
stages, in order: load the manuscript into the book model (:mod:`presswork.manuscript`),
lay out its pages (:mod:`presswork.layout`; joined into the PDFs meanwhile), make the
ePub from the book and the pages' starts (:mod:`presswork.transforms.page_breaks`,
:mod:`presswork.epub`), write every file (:mod:`presswork.release`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from presswork.cache import Store, environment_key
from presswork.config.look import styles_for
from presswork.config.manifest import BookConfig
from presswork.editions import Edition, makes_pdf
from presswork.epub.cover import CoverText, cached_cover
from presswork.epub.writer import render_epub
from presswork.errors import Diagnostic
from presswork.layout.book import Setup, keep_only_used
from presswork.layout.paged import Paged, paged, set_apart
from presswork.layout.units import LaidOut
from presswork.layout.warmup import load_layout
from presswork.layout.workers import Workers, default_jobs
from presswork.manuscript.load import LoadedBook, load_book
from presswork.progress import Progress, Silent, Step
from presswork.release import record
from presswork.release.output import write_all
from presswork.render import markup
from presswork.styles import Production, production
from presswork.transforms.page_breaks import with_page_breaks

Warn = Callable[[Diagnostic], None]


@dataclass(frozen=True)
class BuildRequest:
    """What to build: the editions of ``manuscript`` into ``output``; with ``release``,
    also ``SHA256SUMS`` and the build record; ``jobs`` processes laying out pages
    (default: one per core); with ``single``, the book laid out as one document, without
    the layout cache (slower: the reference the joined layout is tested against); without
    ``page_list``, an ePub alone is made without laying out any page, and so without
    the printed edition's page numbers."""

    manuscript: Path
    output: Path
    editions: tuple[Edition, ...] = tuple(Edition)
    release: bool = False
    jobs: int | None = None
    single: bool = False
    page_list: bool = True

    @property
    def needs_pdf(self) -> bool:
        return makes_pdf(self.editions)

    @property
    def needs_layout(self) -> bool:
        return self.needs_pdf or self.page_list


@dataclass(frozen=True)
class Artifact:
    """A file written: an edition (with its pages: for the ePub, the printed pages its
    page-list names) or a release file (``edition`` None), and its SHA-256."""

    path: Path
    size: int
    pages: int | None
    edition: Edition | None = None
    sha256: str = ""


@dataclass(frozen=True)
class Built:
    """What a build wrote, which units of the layout it laid out (the rest came from the
    cache), and what was laid out in the book's terms."""

    artifacts: list[Artifact]
    laid_out: tuple[str, ...] = field(default=())
    work: LaidOut = field(default_factory=LaidOut)


def build(
    request: BuildRequest,
    progress: Progress | None = None,
    warn: Warn = lambda diagnostic: None,
    workers: Workers | None = None,
    settings: Production | None = None,
) -> Built:
    """Build what ``request`` asks for. ``workers``: processes kept from an earlier build
    (``presswork watch``) rather than started for this one; ``settings``: the numbers of
    ``styles/production.toml``, unless given."""
    progress = progress or Silent()
    if workers is None:
        with Workers(1 if request.single else request.jobs or default_jobs()) as own:
            return build(request, progress, warn, own, settings)
    styles = styles_for(request.manuscript.resolve())
    store = Store.of(request.output)
    setup = Setup(
        request.manuscript.resolve(),
        styles,
        environment_key(styles),
        store,
        settings or production(styles),
    )
    if request.needs_pdf and not request.single:
        workers.warm(load_layout, setup.manuscript, styles)
    progress.step(Step.CHECK)

    def configured(config: BookConfig) -> None:  # before the chapters are read
        if request.needs_layout and not request.single:
            set_apart(len(config.chapters), setup, workers, request.needs_pdf)

    loaded = load_book(request.manuscript, store, warn, configured)
    pages = (
        paged(
            loaded.book,
            setup,
            workers,
            with_pdf=request.needs_pdf,
            with_print=Edition.PRINT in request.editions,
            single=request.single,
            progress=progress,
        )
        if request.needs_layout
        else Paged.nothing(len(loaded.book.chapters))
    )
    try:
        for diagnostic in pages.warnings:
            warn(diagnostic)
        made = _editions(loaded, pages, request.editions, setup, progress)
        files = {edition.file: edition.data for edition in made}
        if request.release:
            progress.step(Step.RELEASE)
            files[record.CHECKSUMS] = record.checksums(made)
            files[record.RECORD] = record.record(made, loaded.provenance)
        progress.step(Step.SAVE)
        write_all(request.output, files)
        if pages.keys is not None and request.needs_pdf:
            keep_only_used(store, pages.keys)
    finally:
        pages.settle()

    def artifact(name: str, pages: int | None, edition: Edition | None) -> Artifact:
        data = files[name]
        return Artifact(request.output / name, len(data), pages, edition, sha256(data).hexdigest())

    return Built(
        [artifact(e.file, e.pages, e.edition) for e in made]
        + [
            artifact(name, None, None)
            for name in (record.CHECKSUMS, record.RECORD)
            if name in files
        ],
        laid_out=pages.laid_out,
        work=pages.work,
    )


def _editions(
    loaded: LoadedBook,
    pages: Paged,
    wanted: tuple[Edition, ...],
    setup: Setup,
    progress: Progress,
) -> list[record.EditionFile]:
    """The editions wanted: the ePub written while the PDFs are joined, then the PDFs."""
    book, slug = loaded.book, loaded.config.slug
    epub = None
    if Edition.EPUB in wanted:
        meta = book.metadata
        if meta.cover is not None:  # the book's own, checked when it was loaded
            cover = meta.cover.read_bytes()
        else:
            progress.step(Step.COVER)
            cover = cached_cover(
                CoverText(meta.title, meta.subtitle, meta.publisher, markup.byline(meta)),
                setup.styles,
                setup.store,
                setup.environment,
            )
        progress.step(Step.EPUB)
        marked = with_page_breaks(book, pages.starts)
        epub = record.EditionFile(
            Edition.EPUB.file_name(slug),
            Edition.EPUB,
            render_epub(marked, setup.styles, cover),
            pages.pages or None,  # the printed pages its page-list names
        )
    made: list[record.EditionFile] = []
    if makes_pdf(wanted):
        if epub is not None:
            progress.step(Step.JOIN)  # what is left of the join, which ran meanwhile
        screen, printed = pages.pdfs()
        pdfs: dict[Edition, bytes | None] = {Edition.PDF: screen, Edition.PRINT: printed}
        for edition, pdf in pdfs.items():
            if edition in wanted and pdf is not None:
                count = pages.pages
                if edition is Edition.PRINT:
                    count = book.metadata.print_pages(count)
                made.append(record.EditionFile(edition.file_name(slug), edition, pdf, count))
    if epub is not None:
        made.append(epub)
    return made
