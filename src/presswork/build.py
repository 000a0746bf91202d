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

from presswork import pdf
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
    edition: Edition
    path: Path
    size: int
    pages: int | None


Progress = Callable[[str], None]


def load_book(
    manuscript: Path, warn: Callable[[Diagnostic], None] = lambda d: None
) -> tuple[BookConfig, Book]:
    """Check the manuscript and resolve it into the book model; raise on any error."""
    checked = check(manuscript)
    findings = [d for d in checked.report.sorted() if d.severity is not Severity.INFO]
    if checked.report.has_errors or checked.config is None or checked.book is None:
        raise ManuscriptError(findings)
    for diagnostic in findings:
        warn(diagnostic)
    return checked.config, checked.book


def build(
    manuscript: Path,
    output: Path,
    editions: Sequence[Edition] = tuple(Edition),
    progress: Progress = lambda step: None,
    warn: Callable[[Diagnostic], None] = lambda diagnostic: None,
) -> list[Artifact]:
    progress("checking the manuscript")
    config, book = load_book(manuscript, warn)
    styles = styles_dir()
    made: dict[Edition, tuple[bytes, int | None]] = {}
    # The ePub takes its page numbers from the PDF's pages, so it needs the layout too.
    progress("laying out the pages")
    layout = pdf.lay_out_book(book, config.root, styles)
    if layout.warnings:
        raise OutputError([error("PW901", f"layout: {w}") for w in layout.warnings])
    for note, call_page, note_page in layout.displaced_notes():
        warn(
            warning(
                "PW903",
                f"note {note} is set on page {note_page + 1}, its call on page {call_page + 1}",
            )
        )
    if Edition.PDF in editions or Edition.PRINT in editions:
        progress("writing the screen PDF")
        screen = tag_notes(pdf.screen_pdf(layout, book.metadata.identifier))
        if Edition.PDF in editions:
            made[Edition.PDF] = (screen, layout.page_count)
        if Edition.PRINT in editions:
            progress("adding bleed and crop marks")
            made[Edition.PRINT] = (pdf.print_pdf(screen), layout.page_count)
    if Edition.EPUB in editions:
        progress("drawing the cover")
        meta = book.metadata
        cover = render_cover(CoverText(meta.title, meta.subtitle, meta.publisher), styles)
        progress("writing the ePub")
        paged = with_page_breaks(book, page_starts(layout.document), anchor_map(book))
        made[Edition.EPUB] = (render_epub(paged, styles, cover), layout.page_count)
    progress("saving")
    return _write_all(output, config.slug, made)


def _write_all(
    output: Path, slug: str, made: dict[Edition, tuple[bytes, int | None]]
) -> list[Artifact]:
    """Write every edition to a temporary file beside its target, then rename them all."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            error("PW902", f"cannot create the output folder: {exc.strerror}", output)
        ) from None
    staged: list[tuple[Path, Path]] = []
    try:
        for edition, (data, _) in made.items():
            target = output / edition.file_name(slug)
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=output)
            staged.append((Path(name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(name).chmod(0o644)
        for temporary, target in staged:
            temporary.replace(target)
    except OSError as exc:
        raise OutputError(
            error("PW902", f"cannot write the editions: {exc.strerror}", output)
        ) from None
    finally:
        # Interrupted or failed: no half-written file stays behind. (After the renames
        # the temporary names no longer exist.)
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [
        Artifact(edition, output / edition.file_name(slug), len(data), pages)
        for edition, (data, pages) in made.items()
    ]
