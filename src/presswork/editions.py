"""The editions presswork makes, and the name of each edition's file.

In: a book's slug. Out: the file names of its screen PDF, print PDF and ePub, and whether
a set of editions has a PDF among them. Kept apart from the build so that the command
line can name the editions without loading it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Edition(StrEnum):
    PDF = "pdf"
    PRINT = "print"
    EPUB = "epub"

    def file_name(self, slug: str) -> str:
        return {"pdf": f"{slug}.pdf", "print": f"{slug}-print.pdf", "epub": f"{slug}.epub"}[
            self.value
        ]


def makes_pdf(editions: Iterable[Edition]) -> bool:
    """Whether ``editions`` has a PDF among them: pages to lay out, write and join."""
    return any(edition in (Edition.PDF, Edition.PRINT) for edition in editions)
