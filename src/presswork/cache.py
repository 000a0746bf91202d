"""Remember where the pages of a layout begin, so that an ePub built alone reuses them.

In: the HTML handed to WeasyPrint and the styles folder (together, everything that
decides the layout), and an output folder. Out: the page count and page starts of the
last layout of exactly that input, read from ``OUTPUT/.presswork-cache/``, or ``None``.
The key hashes the HTML, every file of the styles folder, and the versions of presswork,
WeasyPrint and Pango; an entry that does not parse, has another format or another key
is ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from presswork import __version__
from presswork.pagination import PageStart
from presswork.release import pango_version

CACHE_DIR = ".presswork-cache"
FORMAT = 1


def layout_key(html: str, styles: Path) -> str:
    digest = hashlib.sha256()
    for part in (
        f"presswork {__version__}",
        f"weasyprint {version('weasyprint')}",
        f"pango {pango_version()}",
        html,
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for path in sorted(p for p in styles.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(styles)).encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_name(key: str) -> str:
    return f"{CACHE_DIR}/pages-{key[:32]}.json"


def stale(output: Path, key: str) -> list[Path]:
    """Entries of the cache other than ``key``'s: a build that writes its own removes
    them, so that the cache holds the layout of the last build only."""
    keep = output / entry_name(key)
    return [p for p in sorted((output / CACHE_DIR).glob("pages-*.json")) if p != keep]


def dump(key: str, pages: int, starts: tuple[PageStart, ...]) -> bytes:
    data = {
        "format": FORMAT,
        "key": key,
        "pages": pages,
        "starts": [[s.folio, s.anchor, s.words] for s in starts],
    }
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def load(output: Path, key: str) -> tuple[int, tuple[PageStart, ...]] | None:
    path = output / entry_name(key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != FORMAT or data["key"] != key:
            return None
        starts = tuple(
            PageStart(str(folio), str(anchor), int(words))
            for folio, anchor, words in data["starts"]
        )
        pages = int(data["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pages < 1 or len(starts) > pages:
        return None
    return pages, starts
