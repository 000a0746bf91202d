"""How a build tells whoever runs it where it is: its steps, and counts within them.

In: the stages' calls, as they reach each step of a build (:class:`Step`) and finish
each thing a step counts. Out: whatever the caller's :class:`Progress` makes of them; the
command line draws a live line in a terminal (:mod:`presswork.commands.live`), a build
run from code is silent. Each step has one name for machines (its value, the key of the
build summary's timings) and one for people (:data:`WORDS`), in the book's terms.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Step(StrEnum):
    CHECK = "check"
    LAYOUT = "layout"  # the chapters, and the length of the front matter
    MEASURE = "measure"  # the length of the front matter alone
    FURNITURE = "furniture"  # the contents' page numbers, running heads and folios
    PAGES = "pages"  # the whole book as one document (--single)
    JOIN = "join"
    COVER = "cover"
    EPUB = "epub"
    RELEASE = "release"
    SAVE = "save"


WORDS: dict[Step, str] = {
    Step.CHECK: "Checking the manuscript",
    Step.LAYOUT: "Laying out chapters",
    Step.MEASURE: "Measuring the front matter",
    Step.FURNITURE: "Setting page numbers and running heads",
    Step.PAGES: "Laying out the pages",
    Step.JOIN: "Joining the pages",
    Step.COVER: "Drawing the cover",
    Step.EPUB: "Writing the ePub",
    Step.RELEASE: "Writing checksums and the build record",
    Step.SAVE: "Saving",
}


class Progress(Protocol):
    def step(self, step: Step, total: int | None = None) -> None:
        """The build has reached ``step``; ``total``: how many things it will count."""

    def advance(self) -> None:
        """One more of the step's things is done. May be called from another thread."""


class Silent:
    """No one is watching: a build run from code, or ``--quiet``."""

    def step(self, step: Step, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass
