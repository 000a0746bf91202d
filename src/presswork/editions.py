"""The editions presswork makes, and the name of each edition's file.

In: a book's slug. Out: the file names of its screen PDF, print PDF and ePub, whether a
set of editions has a PDF among them, and what the print edition is made with
(:class:`PrintOrder`, plain data for the process that makes it). Kept apart from the
build so that the command line can name the editions without loading it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from presswork.styles import PrintEdition


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


@dataclass(frozen=True)
class PrintOrder:
    """What a book's print edition is made with: the print edition of ``styles/``, the
    book's signature, the edition's identifier, and whether the book has figures (whose
    boxes in the structure tree move with the trim)."""

    edition: PrintEdition
    signature: int = 1
    document_id: str = ""
    figures: bool = True
