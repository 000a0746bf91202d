"""Keep what loading a manuscript learns slowly, so that a build reads only what changed.

In: the build's cache (:class:`~presswork.cache.Store`), and from loading: each chapter
file as read (its :class:`~presswork.model.Chapter` and the findings of reading it) and
what else is kept under a key (the characters the shipped typefaces cover). Out: the
same, read back when nothing they depend on changed. A chapter's key hashes the file's
bytes, its path, the list of the manuscript folder's files (a figure is read as found or
missing), the book's language and presswork's version and files. A :class:`Memo` reads
from the cache but writes only when the build calls :meth:`Memo.save`, once the
manuscript passed: a check makes no folder, and a failed build leaves the output folder
as it was.

Records are JSON, not pickles: the cache sits in an output folder, and reading it must
never run code. A record that does not parse or names a type that is not the model's is
ignored, and the chapter is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from presswork import __version__, model
from presswork.cache import Store
from presswork.codes import Severity
from presswork.errors import Diagnostic
from presswork.versions import own_files

FORMAT = 1  # of a chapter's record: the model's types as JSON
CHAPTER = "chapter"  # the cache's kind
# The only types an entry may build: the model's dataclasses and the diagnostic.
_TYPES: dict[str, type] = {
    name: cls
    for name, cls in vars(model).items()
    if isinstance(cls, type)
    and dataclasses.is_dataclass(cls)
    and cls.__module__.startswith(f"{model.__name__}.")
} | {"Diagnostic": Diagnostic}


def listing(root: Path) -> str:
    """The manuscript folder's files, one relative path a line, hidden ones left out."""
    found = []
    for folder, names, files in os.walk(root):
        names[:] = sorted(n for n in names if not n.startswith("."))
        base = Path(folder).relative_to(root)
        found += [str(base / name) for name in files if not name.startswith(".")]
    return "\n".join(sorted(found))


@dataclass
class Memo:
    """The cache a check reads from, and the records it will write there on
    :meth:`save`."""

    store: Store
    pending: dict[tuple[str, str], bytes] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=dict)  # this run's keys, by kind

    def read(self, kind: str, key: str) -> bytes | None:
        self.used.setdefault(kind, set()).add(key)
        return self.store.read(kind, key)

    def keep(self, kind: str, key: str, data: bytes) -> None:
        self.used.setdefault(kind, set()).add(key)
        self.pending[(kind, key)] = data

    def save(self) -> None:
        """Write what was learned, and forget what this run did not use."""
        for (kind, key), data in self.pending.items():
            self.store.write(kind, key, data)
        for kind, keys in self.used.items():
            self.store.keep_only(kind, keys)
        self.pending.clear()

    @staticmethod
    def chapter_key(path: Path, root: Path, files: str, data: bytes, language: str) -> str:
        """The key of reading ``path``, whose bytes are ``data``, in the book's
        ``language`` (which sets its quotation marks)."""
        versions = f"{FORMAT}\0{__version__}\0{own_files()}"
        hashed = hashlib.sha256(f"{versions}\0{root}\0{path}\0{files}\0{language}\0".encode())
        hashed.update(data)
        return hashed.hexdigest()

    def load_chapter(self, key: str) -> tuple[model.Chapter | None, list[Diagnostic]] | None:
        kept = self.read(CHAPTER, key)
        if kept is None:
            return None
        try:
            envelope = json.loads(kept.decode("utf-8"), object_hook=_decode_object)
            chapter = envelope["chapter"]
            findings = list(envelope["findings"])
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
        envelope = {"chapter": _encode(chapter), "findings": [_encode(d) for d in findings]}
        self.keep(CHAPTER, key, json.dumps(envelope, separators=(",", ":")).encode())


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


def _decode_object(value: dict[str, Any]) -> Any:
    """The inverse of :func:`_encode`, for one JSON object whose own objects are
    decoded already: a ``json`` object hook, which the parser calls from the innermost
    object out, a third faster than walking the parsed tree. Every list is a tuple in the
    model. A dataclass's fields are an object of their own, passed here first: no
    dataclass has a lone field named ``path`` or ``severity``, so they are never taken
    for a path or a severity."""
    if len(value) == 1 and isinstance(value.get("path"), str):
        return _path(value["path"])
    if len(value) == 1 and "severity" in value:
        return Severity(value["severity"])
    if value.keys() == {"type", "fields"}:
        cls = _TYPES[value["type"]]
        return cls(**{name: _tuples(item) for name, item in value["fields"].items()})
    return value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value
