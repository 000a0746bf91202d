"""The build's cache: what is slow to make, kept in the output folder for the next build.

In: an output folder; records to keep, each of a kind and under a key. Out: a record's
bytes as they were kept for exactly that kind and key, or ``None``. One store, one record
format and one check, for everything a build keeps in ``OUTPUT/.presswork-cache/``:

- ``chapter``: a chapter file as read (:mod:`presswork.manuscript.memo`);
- ``coverage``: the characters the shipped typefaces cover (:mod:`presswork.manuscript.lint`);
- ``unit``, ``unit-pdf``: a unit of the layout and its PDF (:mod:`presswork.layout.book`);
- ``subset``: a font subset of the last join (:mod:`presswork.pdf.subsets`);
- ``cover``: the ePub's cover image (:mod:`presswork.epub.cover`).

A record is the file ``KIND/KEY``: one header line naming the format, kind, key and the
SHA-256 of what follows, then the data. A record that is truncated, edited, of another
format or kind, or kept under another key is not returned: what it held is made again,
never trusted. Records are written whole (to a temporary file, then renamed), so a reader
never sees part of one; a record that cannot be written is only a slower next build.
Keys are digests (:func:`digest`) of everything the record depends on.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from presswork import __version__
from presswork.versions import installed_version, own_files, pango_version

CACHE_DIR = ".presswork-cache"
FORMAT = 9
KINDS = ("chapter", "coverage", "image", "unit", "unit-pdf", "subset", "cover")
_KEY = re.compile(r"^[0-9a-f]{16,128}$")


def digest(*parts: str, files: Iterable[Path] = ()) -> str:
    """A key: the SHA-256 of ``parts`` and of the bytes of ``files``."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for path in files:
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()


def environment_key(styles: Path) -> str:
    """What everything laid out depends on besides its own text: this cache's format, the
    versions of presswork (and its files), WeasyPrint and Pango, and every file of the
    styles folder."""
    hashed = hashlib.sha256()
    for part in (
        f"format {FORMAT}",
        f"presswork {__version__} {own_files()}",
        f"weasyprint {installed_version('weasyprint')}",
        f"pango {pango_version()}",
    ):
        hashed.update(part.encode("utf-8") + b"\0")
    for path in sorted(p for p in styles.rglob("*") if p.is_file()):
        hashed.update(str(path.relative_to(styles)).encode("utf-8") + b"\0")
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees part of it: to a temporary
    file beside it, then renamed. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)


@dataclass(frozen=True)
class Store:
    """The cache of one output folder (``folder`` is ``OUTPUT/.presswork-cache``)."""

    folder: Path

    @classmethod
    def of(cls, output: Path) -> Store:
        return cls(Path(output) / CACHE_DIR)

    def _path(self, kind: str, key: str) -> Path:
        if kind not in KINDS or not _KEY.match(key):
            raise ValueError(f"not a cache record: {kind}/{key}")
        return self.folder / kind / key

    @staticmethod
    def _header(kind: str, key: str, data: bytes) -> bytes:
        return f"presswork-cache {FORMAT} {kind} {key} {hashlib.sha256(data).hexdigest()}\n".encode(
            "ascii"
        )

    def read(self, kind: str, key: str) -> bytes | None:
        """The record of ``kind`` kept under ``key``, if there is one and it is whole."""
        try:
            kept = self._path(kind, key).read_bytes()
        except OSError:
            return None
        header, newline, data = kept.partition(b"\n")
        if not newline or header + newline != self._header(kind, key, data):
            return None
        return data

    def write(self, kind: str, key: str, data: bytes) -> None:
        """Keep ``data`` as the record of ``kind`` under ``key``."""
        with suppress(OSError):
            write_whole(self._path(kind, key), self._header(kind, key, data) + data)

    def holds(self, kind: str) -> bool:
        """Whether any record of ``kind`` is kept."""
        folder = self.folder / kind
        with suppress(OSError):
            return any(folder.iterdir())
        return False

    def keep_only(self, kind: str, keys: Iterable[str]) -> None:
        """Remove the records of ``kind`` not kept under one of ``keys``."""
        wanted = set(keys)
        folder = self.folder / kind
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.name not in wanted:
                with suppress(OSError):
                    path.unlink()

    def tidy(self) -> None:
        """Remove what the cache folder holds besides this format's records (files an
        older presswork kept)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name in KINDS and path.is_dir():
                continue
            with suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
