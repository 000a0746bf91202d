"""Start a book: write a small manuscript that builds at once.

In: a folder, missing or empty. Out: in it, the starter book shipped beside this module
(``starter/``): a ``book.yaml`` with every key it can hold (the optional ones commented
out, with what they do), a chapter with a note, an inline note, a table, a figure and a
definition list, and a ``styles/`` folder whose ``book.css`` shows how to give the book
a look of its own. A folder that holds anything is refused (PW907): nothing is
overwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from presswork.errors import OutputError, diagnostic

STARTER = Path(__file__).with_name("starter")


def new_book(folder: Path) -> list[Path]:
    """Write the starter book into ``folder``; the files written, in order."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(
            diagnostic(
                "PW907", "the folder is not empty: a new book is begun in an empty one", folder
            )
        )
    try:
        shutil.copytree(STARTER, folder, dirs_exist_ok=True)
    except OSError as exc:
        raise OutputError(
            diagnostic("PW902", f"cannot write the new book: {exc.strerror}", folder)
        ) from exc
    return sorted(p for p in folder.rglob("*") if p.is_file())
