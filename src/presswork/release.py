"""What a release adds beside the editions, so that anyone can check and rebuild them.

In: the editions (file name, bytes, pages) and the build's provenance. Out: the text of
``SHA256SUMS`` (in ``sha256sum`` format: ``sha256sum -c SHA256SUMS`` checks the files)
and of ``build-record.json``: the versions of presswork and of what it builds with, the
source commit and date, and each edition's size, pages and checksum, so that a rebuild
can be compared with what was released.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import json
import platform
from dataclasses import dataclass
from pathlib import Path

from presswork import __version__
from presswork.provenance import Provenance

CHECKSUMS = "SHA256SUMS"
RECORD = "build-record.json"


@dataclass(frozen=True)
class Edition:
    file: str
    kind: str
    data: bytes
    pages: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def checksums(editions: list[Edition]) -> bytes:
    lines = [f"{e.sha256}  {e.file}\n" for e in sorted(editions, key=lambda e: e.file)]
    return "".join(lines).encode("ascii")


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (named as its import package is), from
    the name of the one ``.dist-info`` folder beside the package (``NAME-VERSION``, as
    installers name it); else from its metadata, whose reader takes a twentieth of a
    second to import, in every process of a build that asks."""
    spec = importlib.util.find_spec(distribution)
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))).parent
        prefix = f"{distribution.lower()}-"
        found = [
            path.name[len(prefix) : -len(".dist-info")]
            for path in folder.glob("*.dist-info")
            if path.name.lower().startswith(prefix)
        ]
        if len(found) == 1:
            return found[0]
    return _version(distribution)


def pango_version() -> str:
    """The version of the Pango library WeasyPrint lays text out with, read from the
    library itself (the one WeasyPrint loads, by the same name) without loading
    WeasyPrint."""
    try:
        library = ctypes.CDLL("libpango-1.0.so.0")
    except OSError:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
    else:
        library.pango_version.restype = ctypes.c_int
        number = int(library.pango_version())
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def record(editions: list[Edition], source: Provenance) -> bytes:
    data = {
        "presswork": __version__,
        "tools": {
            "python": platform.python_version(),
            "weasyprint": _version("weasyprint"),
            "pango": pango_version(),
            "ebooklib": _version("ebooklib"),
            "pikepdf": _version("pikepdf"),
            "pillow": _version("pillow"),
            "fonttools": _version("fonttools"),
        },
        "source": {
            "commit": source.commit,
            "uncommitted_changes": source.dirty,
            "date": source.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date_from": source.date_from,
        },
        "editions": [
            {
                "file": e.file,
                "edition": e.kind,
                "size": len(e.data),
                "pages": e.pages,
                "sha256": e.sha256,
            }
            for e in sorted(editions, key=lambda e: e.file)
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
