"""Read a file of the manuscript as text, reporting what makes it unreadable.

In: a path, a size limit and a :class:`~presswork.errors.Report`. Out: the file's text
(without a byte-order mark), or ``None`` when it is too large or not UTF-8; a byte-order
mark and control characters are reported with their line and column.
"""

from __future__ import annotations

import re
from pathlib import Path

from presswork.errors import Diagnostic, Report, diagnostic

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_text(path: Path, report: Report, max_bytes: int) -> str | None:
    data = path.read_bytes()
    if len(data) > max_bytes:
        report.add(diagnostic("PW204", f"file larger than {max_bytes} bytes", path, 1))
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
