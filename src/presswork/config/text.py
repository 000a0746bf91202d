"""Read the files of the manuscript, each once, and as text, reporting what makes one
unreadable.

In: a path, a size limit and a :class:`~presswork.errors.Report`. Out: the file's text
(without a byte-order mark), or ``None`` when it is too large, not a regular file or not
UTF-8; a byte-order mark and control characters are reported with their line and
column. A file's size is known before it is read (``stat``), and no more than its limit
and one byte is ever read of it, so that a file far over its limit (a sparse file of
gigabytes, a device) costs nothing. :class:`Sources` keeps what a build has read: the
cache key, the reader and the text rules all see the same bytes, read once.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from presswork.errors import Diagnostic, Report, diagnostic

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Refused:
    """Why a file was not read: too large, not a regular file, or unreadable."""

    why: str


def read_bounded(path: Path, max_bytes: int) -> bytes | Refused:
    """The bytes of ``path``, if it is a regular file of at most ``max_bytes``."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Refused(f"cannot be read: {exc.strerror}")
    with os.fdopen(descriptor, "rb") as stream:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            return Refused("is not a regular file")
        if found.st_size > max_bytes:
            return Refused(f"has {found.st_size} bytes: the limit is {max_bytes}")
        try:
            data = stream.read(max_bytes + 1)  # a file that grows as it is read
        except OSError as exc:
            return Refused(f"cannot be read: {exc.strerror}")
    if len(data) > max_bytes:
        return Refused(f"has more than {max_bytes} bytes, the limit")
    return data


@dataclass
class Sources:
    """The manuscript's files as one build read them, each read once."""

    _read: dict[Path, bytes | Refused] = field(default_factory=dict)
    _decoded: dict[Path, str | None] = field(default_factory=dict)

    def data(self, path: Path, max_bytes: int) -> bytes | Refused:
        if path not in self._read:
            self._read[path] = read_bounded(path, max_bytes)
        return self._read[path]

    def text(self, path: Path) -> str | None:
        """The text of a file read before, as UTF-8 (``None``: not read, or not text)."""
        if path not in self._decoded:
            data = self._read.get(path)
            try:
                text = data.decode("utf-8") if isinstance(data, bytes) else None
            except UnicodeDecodeError:
                text = None
            self._decoded[path] = None if text is None else text.removeprefix("\ufeff")
        return self._decoded[path]


def read_text(
    path: Path, report: Report, max_bytes: int, sources: Sources | None = None
) -> str | None:
    data = (sources or Sources()).data(path, max_bytes)
    if isinstance(data, Refused):
        report.add(diagnostic("PW204", f"the file {data.why}", path, 1))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(not_utf8(path, data, exc))
        return None
    if text.startswith("\ufeff"):
        report.add(diagnostic("PW202", "byte-order mark at the start of the file", path, 1, 1))
        text = text[1:]
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _CONTROL.finditer(line.rstrip("\r")):
            report.add(
                diagnostic(
                    "PW203",
                    f"control character U+{ord(match.group()):04X}",
                    path,
                    number,
                    match.start() + 1,
                )
            )
    return text


def not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError) -> Diagnostic:
    """Where the first byte that is not UTF-8 is: its offset, line and column."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
    return diagnostic(
        "PW201", f"not UTF-8: byte 0x{data[exc.start]:02X} at offset {exc.start}", path, line, col
    )
