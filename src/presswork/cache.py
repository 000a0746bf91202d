"""Keep the layout of each unit of the book, so that a rebuild lays out only what changed.

In: an output folder, and for each unit of layout (the front matter, a chapter, the
furniture) its key. Out: the unit's :class:`~presswork.units.UnitLayout` as last laid out
for exactly that key, read from ``OUTPUT/.presswork-cache/units/``, or ``None``.

The key (:func:`unit_key`) hashes everything that decides the unit's pages: its HTML
(which holds the chapter's text and everything the templates and the book's settings make
of it), the bytes of the images it shows, every file of the styles folder (CSS, fonts,
the cover's design), the PDF's identifier, and the versions of presswork, WeasyPrint
and Pango; not the book's date, since units are written with a fixed one
(:data:`presswork.html.UNIT_DATE`). Each entry is a JSON record and the unit's PDF; the
record carries the key, a digest of itself and of the PDF, so that an entry that is
truncated, edited, from another version or for another key is ignored and laid out
again, never trusted. Entries are written whole (:func:`write_whole`) as each unit is
laid out; so are the other files the build keeps here (:func:`store_file`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presswork import __version__
from presswork.release import installed_version, pango_version

CACHE_DIR = ".presswork-cache"
UNITS_DIR = f"{CACHE_DIR}/units"
FONTS_DIR = f"{CACHE_DIR}/fonts"  # the font subsets of the last join (presswork.fontmerge)
FORMAT = 7


@dataclass(frozen=True)
class Entry:
    """A cached unit: its record (see :class:`~presswork.units.UnitLayout`) and, when
    asked for, its PDF."""

    record: dict[str, Any]
    pdf: bytes | None


def environment_key(styles: Path) -> str:
    """What every unit's layout depends on besides its own HTML."""
    digest = hashlib.sha256()
    for part in (
        f"format {FORMAT}",
        f"presswork {__version__}",
        f"weasyprint {installed_version('weasyprint')}",
        f"pango {pango_version()}",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    for path in sorted(p for p in styles.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(styles)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def unit_key(environment: str, html: str, images: Iterable[Path], settings: str) -> str:
    """The key of one unit: ``settings`` are what reaches the PDF without passing through
    the HTML (its identifier, and what else the caller names)."""
    digest = hashlib.sha256()
    for part in (environment, settings, html):
        digest.update(part.encode("utf-8") + b"\0")
    for image in images:
        digest.update(hashlib.sha256(image.read_bytes()).digest())
    return digest.hexdigest()


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


def _paths(output: Path, key: str) -> tuple[Path, Path]:
    folder = output / UNITS_DIR
    return folder / f"{key}.json", folder / f"{key}.pdf"


def _record_digest(record: dict[str, Any]) -> str:
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(output: Path, key: str, with_pdf: bool) -> Entry | None:
    """The entry for ``key``, if there is one that is whole and was made for that key."""
    meta_path, pdf_path = _paths(output, key)
    try:
        envelope = json.loads(meta_path.read_text(encoding="utf-8"))
        record = envelope["record"]
        if (
            envelope["format"] != FORMAT
            or envelope["key"] != key
            or envelope["digest"] != _record_digest(record)
        ):
            return None
        pdf = None
        if with_pdf:
            pdf = pdf_path.read_bytes()
            if hashlib.sha256(pdf).hexdigest() != envelope["pdf"]:
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Entry(record, pdf)


def store(output: Path, key: str, record: dict[str, Any], pdf: bytes) -> None:
    """Write an entry; a cache that cannot be written is only a slower next build."""
    meta_path, pdf_path = _paths(output, key)
    envelope = {
        "format": FORMAT,
        "key": key,
        "pdf": hashlib.sha256(pdf).hexdigest(),
        "digest": _record_digest(record),
        "record": record,
    }
    meta = json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with suppress(OSError):
        # The PDF first: a record never names a PDF that is not there yet.
        write_whole(pdf_path, pdf)
        write_whole(meta_path, meta)


def load_file(output: Path, name: str, key: str) -> bytes | None:
    """A file kept by :func:`store_file` for exactly ``key``, if it is whole."""
    try:
        kept = (output / CACHE_DIR / name).read_bytes()
    except OSError:
        return None
    stamp, digest, data = kept[:64], kept[64:96], kept[96:]
    if stamp != key.encode("ascii") or hashlib.sha256(data).digest() != digest:
        return None
    return data


def store_file(output: Path, name: str, key: str, data: bytes) -> None:
    """Keep ``data`` under ``name`` for ``key`` (a SHA-256 in hex), replacing what was
    kept; a file that cannot be written is only a slower next build."""
    with suppress(OSError):
        write_whole(
            output / CACHE_DIR / name, key.encode("ascii") + hashlib.sha256(data).digest() + data
        )


def prune(output: Path, keep: Iterable[str]) -> None:
    """Remove the entries that the last build did not use, and files of older formats."""
    wanted = {f"{key}.{ext}" for key in keep for ext in ("json", "pdf")}
    folder = output / CACHE_DIR
    stale = [p for p in folder.glob("pages-*.json")]
    if (folder / "units").is_dir():
        stale += [p for p in (folder / "units").iterdir() if p.name not in wanted]
    for path in stale:
        try:
            path.unlink()
        except OSError:
            continue
