"""What a release adds beside the editions, so that anyone can check and rebuild them.

In: the editions (file name, bytes, pages) and the build's provenance. Out: the text of
``SHA256SUMS`` (in ``sha256sum`` format: ``sha256sum -c SHA256SUMS`` checks the files)
and of ``build-record.json``: the versions of presswork and of what it builds with, the
source commit and date, and each edition's size, pages and checksum, so that a rebuild
can be compared with what was released.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass

from presswork import __version__
from presswork.config.provenance import Provenance
from presswork.editions import Edition
from presswork.versions import metadata_version, pango_version

CHECKSUMS = "SHA256SUMS"
RECORD = "build-record.json"


@dataclass(frozen=True)
class EditionFile:
    """An edition as made: its file's name, which edition it is, its bytes and pages."""

    file: str
    edition: Edition
    data: bytes
    pages: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def checksums(editions: list[EditionFile]) -> bytes:
    lines = [f"{e.sha256}  {e.file}\n" for e in sorted(editions, key=lambda e: e.file)]
    return "".join(lines).encode("ascii")


def record(editions: list[EditionFile], origin: Provenance) -> bytes:
    data = {
        "presswork": __version__,
        "tools": {
            "python": platform.python_version(),
            "weasyprint": metadata_version("weasyprint"),
            "pango": pango_version(),
            "ebooklib": metadata_version("ebooklib"),
            "pikepdf": metadata_version("pikepdf"),
            "pillow": metadata_version("pillow"),
            "fonttools": metadata_version("fonttools"),
        },
        "source": {
            "commit": origin.commit,
            "uncommitted_changes": origin.dirty,
            "date": origin.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date_from": origin.date_from,
        },
        "editions": [
            {
                "file": e.file,
                "edition": e.edition.value,
                "size": len(e.data),
                "pages": e.pages,
                "sha256": e.sha256,
            }
            for e in sorted(editions, key=lambda e: e.file)
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
