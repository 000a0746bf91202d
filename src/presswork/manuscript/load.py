"""Load a manuscript: read it, resolve it into the book model, and lint its text.

In: a manuscript folder, and the build's cache where there is one. Out: :class:`Loaded`:
every finding (errors, warnings, information), each with its file, line and column, and,
when the manifest could be read, the configuration, the resolved book and where the
build's date comes from. ``presswork check`` prints the findings; a build takes the book
with :meth:`Loaded.book_or_raise`, which refuses a manuscript with an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from presswork.cache import Store
from presswork.codes import Severity
from presswork.config.look import styles_for
from presswork.config.manifest import BookConfig, load_config
from presswork.config.provenance import Provenance, book_identifier, provenance
from presswork.config.text import Sources
from presswork.errors import Diagnostic, ManuscriptError, Report, diagnostic
from presswork.manuscript import images, lint
from presswork.manuscript.chapters import read_book
from presswork.manuscript.memo import Memo
from presswork.model import Book
from presswork.transforms import resolve


@dataclass(frozen=True)
class LoadedBook:
    """A manuscript that passed: its configuration, its resolved book, and where the
    build's date and commit come from."""

    config: BookConfig
    book: Book
    provenance: Provenance


@dataclass(frozen=True)
class Loaded:
    """What loading found, and what it could make of the manuscript."""

    report: Report
    config: BookConfig | None
    book: Book | None
    provenance: Provenance | None = None

    def book_or_raise(self, warn: Callable[[Diagnostic], None] = lambda d: None) -> LoadedBook:
        """The book, the warnings told to ``warn``; a
        :class:`~presswork.errors.ManuscriptError` with every finding but information
        where there is an error."""
        findings = [d for d in self.report.sorted() if d.severity is not Severity.INFO]
        if (
            self.report.has_errors
            or self.config is None
            or self.book is None
            or self.provenance is None
        ):
            raise ManuscriptError(findings)
        for finding in findings:
            warn(finding)
        return LoadedBook(self.config, self.book, self.provenance)


def load(
    manuscript: Path,
    memo: Memo | None = None,
    configured: Callable[[BookConfig], None] = lambda config: None,
) -> Loaded:
    """Read, resolve and lint ``manuscript``. ``memo``: where what is slow to learn and
    rarely changes (each chapter as read, which characters the shipped typefaces cover)
    is kept between runs. ``configured`` is told the configuration as soon as
    ``book.yaml`` is read, before the chapters are."""
    report = Report()
    sources = Sources()  # every file read once
    config = load_config(manuscript, report, sources)
    if config is None:
        return Loaded(report, None, None)
    configured(config)
    try:
        origin = provenance(config)
    except ManuscriptError as exc:
        report.extend(exc.diagnostics)
        return Loaded(report, config, None)
    if origin.moved_from is not None:
        report.add(
            diagnostic(
                "PW111",
                f"the {origin.date_from} says {origin.moved_from} seconds since 1970, a date "
                f"an ePub cannot record: the editions are dated {origin.date:%Y-%m-%d}; "
                "set the clock right, or SOURCE_DATE_EPOCH",
                config.manifest,
            )
        )
    if origin.dirty:
        report.add(
            diagnostic(
                "PW110",
                "the manuscript has changes not committed to git: this "
                "build cannot be rebuilt from a commit",
                config.root,
            )
        )
    book = read_book(config, origin.date, book_identifier(config), report, memo, sources)
    images.check_figures((f for c in book.chapters for f in c.figures), report, memo)
    if config.cover is not None:
        cover = images.check_cover(config.cover, config.root, config.cover_line, report, memo)
        book = replace(book, metadata=replace(book.metadata, cover=cover))
    book = resolve(book, config, report)
    lint.unlisted(config, report)
    lint.long_words(book.chapters, report)
    lint.long_notes(book.chapters, report)
    covered = lint.shipped_characters(styles_for(config.root), memo)
    for entry in config.chapters:
        lint.text_rules(entry.path, sources.text(entry.path), report, covered, prose_only=True)
    lint.text_rules(
        config.manifest, sources.text(config.manifest), report, covered, prose_only=False
    )
    return Loaded(report, config, book, origin)


def load_book(
    manuscript: Path,
    store: Store | None,
    warn: Callable[[Diagnostic], None] = lambda d: None,
    configured: Callable[[BookConfig], None] = lambda config: None,
) -> LoadedBook:
    """The resolved book of ``manuscript``, for a build: a
    :class:`~presswork.errors.ManuscriptError` where it has an error. With ``store``,
    what loading learns slowly is kept there, only once the manuscript passed.
    ``configured``: as for :func:`load`."""
    memo = None if store is None else Memo(store)
    loaded = load(manuscript, memo, configured).book_or_raise(warn)
    if memo is not None:
        memo.save()
    return loaded
