"""Keep each chapter as it was read, so that a build reads again only the chapters that
changed.

In: a chapter file, the manuscript folder and a cache folder. Out: the
:class:`~presswork.model.Chapter` read from the file and the findings of reading it, as
:func:`presswork.manuscript.read_chapter` gave them, from the cache when nothing they
depend on changed. The key hashes the file's bytes, its path, the list of the manuscript
folder's files (a figure is read as found or missing) and presswork's version. Entries
are JSON, not pickles: the cache sits in an output folder, and reading it must never run
code. An entry that does not parse, names a type that is not the model's, or was made
for another key is ignored, and the chapter is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

from presswork import __version__, model
from presswork.errors import Diagnostic, Severity

FORMAT = 1
FOLDER = "chapters"
# The only types an entry may build: the model's dataclasses and the diagnostic.
_TYPES: dict[str, type] = {
    name: cls
    for name, cls in vars(model).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
} | {"Diagnostic": Diagnostic}


def listing(root: Path) -> str:
    """The manuscript folder's files, one relative path a line, hidden ones left out."""
    found = []
    for folder, names, files in os.walk(root):
        names[:] = sorted(n for n in names if not n.startswith("."))
        base = Path(folder).relative_to(root)
        found += [str(base / name) for name in files if not name.startswith(".")]
    return "\n".join(sorted(found))


def key(path: Path, root: Path, files: str) -> str | None:
    """The key of reading ``path``, or ``None`` when the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{root}\0{path}\0{files}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def load(memo: Path, entry_key: str) -> tuple[model.Chapter | None, list[Diagnostic]] | None:
    try:
        envelope = json.loads((memo / FOLDER / f"{entry_key}.json").read_text(encoding="utf-8"))
        if envelope["format"] != FORMAT or envelope["key"] != entry_key:
            return None
        chapter = _decode(envelope["chapter"])
        findings = [_decode(d) for d in envelope["findings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (chapter is None or isinstance(chapter, model.Chapter)):
        return None
    if not all(isinstance(d, Diagnostic) for d in findings):
        return None
    return chapter, findings


def store(
    memo: Path, entry_key: str, chapter: model.Chapter | None, findings: list[Diagnostic]
) -> None:
    envelope = {
        "format": FORMAT,
        "key": entry_key,
        "chapter": _encode(chapter),
        "findings": [_encode(d) for d in findings],
    }
    folder = memo / FOLDER
    with suppress(OSError):
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{entry_key}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(envelope, stream, separators=(",", ":"))
        Path(temporary).replace(folder / f"{entry_key}.json")


def prune(memo: Path, keep: Iterable[str]) -> None:
    """Remove the entries of chapters not read in this build."""
    wanted = {f"{k}.json" for k in keep}
    folder = memo / FOLDER
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in wanted:
                path.unlink(missing_ok=True)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return {"type": type(value).__name__, "fields": fields}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Path):
        return {"path": str(value)}
    if isinstance(value, Severity):
        return {"severity": value.value}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__}")


@cache
def _path(text: str) -> Path:
    """One Path for each path kept: every node of a chapter names the same file."""
    return Path(text)


def _decode(value: Any) -> Any:
    """The inverse of :func:`_encode`: every list is a tuple in the model."""
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if isinstance(value, dict):
        if "path" in value:
            return _path(value["path"])
        if "severity" in value:
            return Severity(value["severity"])
        cls = _TYPES[value["type"]]
        return cls(**{name: _decode(item) for name, item in value["fields"].items()})
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"not a kept value: {type(value).__name__}")
