"""Keep what the check learns slowly, so that a build reads again only what changed.

In: a cache folder, and from the check: each chapter file as read (its
:class:`~presswork.model.Chapter` and the findings of reading it) and the characters the
shipped typefaces cover. Out: the same, read back from the folder when nothing they
depend on changed. A chapter's key hashes the file's bytes, its path, the list of the
manuscript folder's files (a figure is read as found or missing) and presswork's version.
A :class:`Memo` reads from its folder when it exists but writes only when the build calls
:meth:`Memo.save`, once the check passed: a check makes no folder, and a failed build
leaves the output folder as it was.

Entries are JSON, not pickles: the cache sits in an output folder, and reading it must
never run code. An entry that does not parse, names a type that is not the model's, or
was made for another key is ignored, and the chapter is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from presswork import __version__, model
from presswork.cache import write_whole
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


@dataclass
class Memo:
    """A cache folder the check reads from, and the files it will write there."""

    folder: Path
    pending: dict[str, bytes] = field(default_factory=dict)
    chapters: list[str] = field(default_factory=list)  # the keys of this run's chapters

    def read(self, name: str) -> bytes | None:
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def keep(self, name: str, data: bytes) -> None:
        self.pending[name] = data

    def save(self) -> None:
        """Write what was learned, and forget the chapters this run did not read; a
        folder that cannot be written is only a slower next build."""
        with suppress(OSError):
            for name, data in self.pending.items():
                write_whole(self.folder / name, data)
            wanted = {f"{k}.json" for k in self.chapters}
            folder = self.folder / FOLDER
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.name not in wanted:
                        path.unlink(missing_ok=True)
        self.pending.clear()

    def load_chapter(self, key: str) -> tuple[model.Chapter | None, list[Diagnostic]] | None:
        self.chapters.append(key)
        kept = self.read(f"{FOLDER}/{key}.json")
        if kept is None:
            return None
        try:
            envelope = json.loads(kept.decode("utf-8"))
            if envelope["format"] != FORMAT or envelope["key"] != key:
                return None
            chapter = _decode(envelope["chapter"])
            findings = [_decode(d) for d in envelope["findings"]]
        except (ValueError, KeyError, TypeError):
            return None
        if not (chapter is None or isinstance(chapter, model.Chapter)):
            return None
        if not all(isinstance(d, Diagnostic) for d in findings):
            return None
        return chapter, findings

    def keep_chapter(
        self, key: str, chapter: model.Chapter | None, findings: list[Diagnostic]
    ) -> None:
        envelope = {
            "format": FORMAT,
            "key": key,
            "chapter": _encode(chapter),
            "findings": [_encode(d) for d in findings],
        }
        self.keep(f"{FOLDER}/{key}.json", json.dumps(envelope, separators=(",", ":")).encode())


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
