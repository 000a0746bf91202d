"""Rebuild the editions whenever a manuscript or style file is saved.

In: a manuscript folder, an output folder, the editions wanted, and callbacks that
report. Out: a build at start and one after every change, each reported with what
changed and how long it took; a build that fails reports its findings and leaves the
last good editions in place (see :mod:`presswork.commands.build`). Runs until interrupted, or
until ``stop`` is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from watchfiles import Change, DefaultFilter, watch

from presswork.commands.build import Artifact, BuildRequest, build
from presswork.editions import Edition
from presswork.errors import Diagnostic, PressworkError
from presswork.layout.units import LaidOut
from presswork.layout.workers import Workers, default_jobs
from presswork.styles import styles_dir


@dataclass(frozen=True)
class Rebuild:
    """One build of the watch: what set it off, how long it took, and its outcome."""

    changed: tuple[Path, ...]
    seconds: float
    artifacts: tuple[Artifact, ...]
    problems: tuple[Diagnostic, ...]
    work: LaidOut = field(default_factory=LaidOut)

    @property
    def succeeded(self) -> bool:
        return bool(self.artifacts)


# The files a book is made of: its text, its settings, its images, its look and fonts.
# An editor's temporary files (``sedXXXXXX``, ``.chapter.md.swp``, ``chapter.md~``,
# ``#chapter.md#``, ``chapter.md.tmp``) have none of these endings, or begin with a dot.
BOOK_FILES = frozenset(
    {
        *(".md", ".yaml", ".yml", ".css", ".toml"),
        *(".png", ".jpg", ".jpeg", ".svg"),
        *(".ttf", ".otf", ".woff", ".woff2", ".icc"),
    }
)


class _Watched(DefaultFilter):
    """Changes to the files of the manuscript and the styles, not to what the build
    itself writes, nor to an editor's temporary and hidden files."""

    def __init__(self, output: Path) -> None:
        super().__init__()
        self.output = output.resolve()

    def __call__(self, change: Change, path: str) -> bool:
        resolved = Path(path).resolve()
        name = Path(path).name
        if resolved.is_relative_to(self.output) or name.startswith((".", "#")):
            return False
        if Path(name).suffix.lower() not in BOOK_FILES:
            return False
        return bool(super().__call__(change, path))


def rebuild(
    manuscript: Path,
    output: Path,
    editions: Sequence[Edition],
    changed: tuple[Path, ...],
    workers: Workers | None = None,
    jobs: int | None = None,
) -> Rebuild:
    started = time.perf_counter()
    warnings: list[Diagnostic] = []
    try:
        request = BuildRequest(manuscript, output, tuple(editions), jobs=jobs)
        built = build(request, warn=warnings.append, workers=workers)
    except PressworkError as exc:
        return Rebuild(changed, time.perf_counter() - started, (), tuple(exc.diagnostics))
    seconds = time.perf_counter() - started
    artifacts = tuple(built.artifacts)
    return Rebuild(changed, seconds, artifacts, tuple(warnings), built.work)


def watch_and_build(
    manuscript: Path,
    output: Path,
    editions: Sequence[Edition],
    report: Callable[[Rebuild], None],
    stop: Event | None = None,
    jobs: int | None = None,
) -> None:
    # The watcher is armed (its first, empty, timeout) before the first build, so that a
    # file saved while that build runs is seen and rebuilt too.
    changes_seen = watch(
        manuscript,
        styles_dir(),
        watch_filter=_Watched(output),
        stop_event=stop,
        debounce=400,
        raise_interrupt=True,  # the command says it stopped, and its processes stop
        yield_on_timeout=True,
        rust_timeout=200,
    )
    armed = False
    # Stopped, the watcher says so in a log line of its own; the command says it once.
    logging.getLogger("watchfiles.main").setLevel(logging.ERROR)
    # The processes that lay out and join stay from one build to the next: a rebuild
    # does not wait for WeasyPrint to load.
    with Workers(jobs or default_jobs()) as workers:
        for changes in changes_seen:
            if not armed:
                armed = True
                report(rebuild(manuscript, output, editions, (), workers, jobs))
            if changes:
                changed = tuple(sorted({Path(path) for _, path in changes}))
                report(rebuild(manuscript, output, editions, changed, workers, jobs))
