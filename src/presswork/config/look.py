"""A book's own look, layered over presswork's: the styles folder a book is made with.

In: the manuscript folder. Out: the styles folder to build it with
(:func:`styles_for`): presswork's own, where the book has no ``styles/`` folder beside
its ``book.yaml``; else a folder made from presswork's with the book's laid over it:
its ``book.css`` added after ``pdf.css`` and ``epub.css`` (its own ``pdf.css`` and
``epub.css`` after that edition's alone), and its other files (fonts, images, a
``cover.toml``) in place of presswork's of the same name. The CSS is appended, not
imported, so that its URLs mean what they mean beside ``book.css``: the book's files
keep their places in the folder made. ``production.toml`` and ``colour/`` stay
presswork's (the numbers and colour profiles the editions are made to).

The folder made is named by a digest of everything in it, made once (written beside,
then renamed) in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``,
``presswork/styles``), a folder no one else may write, and never changed after; so the
cache of a build keys on it like on presswork's own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from presswork.styles import styles_dir

BOOK_STYLES = "styles"  # the folder beside book.yaml
BOOK_CSS = "book.css"  # added to both editions
EDITION_CSS = ("pdf.css", "epub.css")  # each added to its edition alone
KEPT = ("production.toml", "colour")  # presswork's, whatever the book has


def own_styles(manuscript: Path) -> Path | None:
    """The book's own styles folder, if it has one with a file in it."""
    folder = manuscript / BOOK_STYLES
    if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
        return folder
    return None


def styles_for(manuscript: Path) -> Path:
    """The styles folder to build the book in ``manuscript`` with."""
    own = own_styles(manuscript)
    if own is None:
        return styles_dir()
    return _made(styles_dir(), own)


def book_files(own: Path) -> list[Path]:
    """The files of a book's styles folder that are laid over presswork's, in order."""
    return sorted(
        p
        for p in own.rglob("*")
        if p.is_file() and not p.is_symlink() and p.relative_to(own).parts[0] not in KEPT
    )


def _digest(builtin: Path, own: Path) -> str:
    hashed = hashlib.sha256()
    for label, folder, files in (
        ("presswork", builtin, sorted(p for p in builtin.rglob("*") if p.is_file())),
        ("book", own, book_files(own)),
    ):
        for path in files:
            hashed.update(f"{label}\0{path.relative_to(folder).as_posix()}\0".encode())
            hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()[:32]


def _home() -> Path:
    configured = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(configured) if Path(configured).is_absolute() else Path.home() / ".cache"
    folder = base / "presswork" / "styles"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    owned = folder.stat()
    if owned.st_uid != os.getuid() or owned.st_mode & 0o022:
        raise OSError(f"{folder} may be written by others: it cannot hold styles")
    return folder


def _made(builtin: Path, own: Path) -> Path:
    home = _home()
    target = home / _digest(builtin, own)
    if (target / "pdf.css").is_file():
        return target
    building = Path(tempfile.mkdtemp(prefix=".made-", dir=home))
    try:
        shutil.copytree(builtin, building, dirs_exist_ok=True)
        for path in book_files(own):
            name = path.relative_to(own)
            if name.as_posix() in (BOOK_CSS, *EDITION_CSS):
                continue
            (building / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, building / name)
        shared = _read(own / BOOK_CSS)
        for edition_css in EDITION_CSS:
            layered = (builtin / edition_css).read_text(encoding="utf-8")
            for part, text in ((BOOK_CSS, shared), (edition_css, _read(own / edition_css))):
                if text is not None:
                    layered += f"\n/* The book's {part} */\n{text}"
            (building / edition_css).write_text(layered, encoding="utf-8")
        try:
            building.rename(target)
        except OSError:  # made meanwhile by another build
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return target


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
