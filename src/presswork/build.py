"""Build the editions: gather everything first, then write.

In: a manuscript folder, an output folder and the formats wanted. Out: the editions
written into the output folder, each replacing the old file in one atomic rename only
once every requested edition has been made, so a failed build leaves the folder as it
was. Reading and checking happen before anything is laid out.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from presswork import cache, html, pdf
from presswork import release as release_files
from presswork.check import check
from presswork.config import BookConfig
from presswork.cover import CoverText, render_cover
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
from presswork.pagination import page_starts, with_page_breaks
from presswork.pdftags import tag_notes
from presswork.provenance import Provenance
from presswork.styles import styles_dir


class Edition(StrEnum):
    PDF = "pdf"
    PRINT = "print"
    EPUB = "epub"

    def file_name(self, slug: str) -> str:
        return {"pdf": f"{slug}.pdf", "print": f"{slug}-print.pdf", "epub": f"{slug}.epub"}[
            self.value
        ]


@dataclass(frozen=True)
class Artifact:
    """A file written: an edition (with its pages) or a release file."""

    path: Path
    size: int
    pages: int | None


@dataclass(frozen=True)
class Built:
    """What a build wrote, and whether it took its page numbers from the cache."""

    artifacts: list[Artifact]
    reused_layout: bool


Progress = Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    config: BookConfig
    book: Book
    provenance: Provenance


def load_book(manuscript: Path, warn: Callable[[Diagnostic], None] = lambda d: None) -> Loaded:
    """Check the manuscript and resolve it into the book model; raise on any error."""
    checked = check(manuscript)
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
    return Loaded(checked.config, checked.book, checked.provenance)


def build(
    manuscript: Path,
    output: Path,
    editions: Sequence[Edition] = tuple(Edition),
    progress: Progress = lambda step: None,
    warn: Callable[[Diagnostic], None] = lambda diagnostic: None,
    release: bool = False,
) -> Built:
    """Build ``editions``; with ``release``, also write SHA256SUMS and the build record."""
    progress("checking the manuscript")
    loaded = load_book(manuscript, warn)
    book = loaded.book
    styles = styles_dir()
    made: list[release_files.Edition] = []
    files: dict[str, bytes] = {}
    needs_pdf = Edition.PDF in editions or Edition.PRINT in editions
    book_html = html.book_html(book)
    key = cache.layout_key(book_html, styles)
    # The ePub takes its page numbers from the PDF's pages: built alone, it reuses those
    # of the last layout of the same input, or lays the pages out to get them.
    cached = None if needs_pdf else cache.load(output, key)
    layout = None
    if cached is not None:
        pages, starts = cached
    else:
        progress("laying out the pages")
        layout = pdf.lay_out_book(book, loaded.config.root, styles, first=book_html)
        if layout.warnings:
            raise OutputError([error("PW901", f"layout: {w}") for w in layout.warnings])
        for note, call_page, note_page in layout.displaced_notes():
            warn(
                warning(
                    "PW903",
                    f"note {note} is set on page {note_page + 1}, its call on page {call_page + 1}",
                )
            )
        pages, starts = layout.page_count, page_starts(layout.document)
        files[cache.entry_name(key)] = cache.dump(key, pages, starts)
    slug = loaded.config.slug
    if layout is not None and needs_pdf:
        progress("writing the screen PDF")
        written, messages = pdf.screen_pdf(layout, book.metadata.identifier, book.metadata.modified)
        for message in messages:
            warn(warning("PW904", f"writing the PDF: {message}"))
        screen = tag_notes(written)
        if Edition.PDF in editions:
            made.append(release_files.Edition(Edition.PDF.file_name(slug), "pdf", screen, pages))
        if Edition.PRINT in editions:
            progress("adding bleed and crop marks")
            made.append(
                release_files.Edition(
                    Edition.PRINT.file_name(slug), "print", pdf.print_pdf(screen), pages
                )
            )
    if Edition.EPUB in editions:
        progress("drawing the cover")
        meta = book.metadata
        cover = render_cover(CoverText(meta.title, meta.subtitle, meta.publisher), styles)
        progress("writing the ePub")
        paged = with_page_breaks(book, starts, anchor_map(book))
        made.append(
            release_files.Edition(
                Edition.EPUB.file_name(slug), "epub", render_epub(paged, styles, cover), pages
            )
        )
    files.update({edition.file: edition.data for edition in made})
    if release:
        progress("writing checksums and the build record")
        files[release_files.CHECKSUMS] = release_files.checksums(made)
        files[release_files.RECORD] = release_files.record(made, loaded.provenance)
    progress("saving")
    _write_all(output, files)
    if layout is not None:
        for path in cache.stale(output, key):
            path.unlink(missing_ok=True)
    return Built(
        [Artifact(Path(output) / e.file, len(e.data), e.pages) for e in made]
        + [
            Artifact(Path(output) / name, len(files[name]), None)
            for name in (release_files.CHECKSUMS, release_files.RECORD)
            if name in files
        ],
        reused_layout=cached is not None,
    )


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
