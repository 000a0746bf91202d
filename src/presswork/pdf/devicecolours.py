"""The device colours of a content stream, rewritten where they stand.

In: the bytes of a content stream, and what each colour set by ``rg``, ``RG``, ``g`` or
``G`` becomes (a colour in the printing condition's inks). Out: the same bytes with each
of those operators and its operands replaced by ``k`` or ``K`` and the inks; ``None``
where the stream has to be parsed instead (:mod:`presswork.pdf.colour` then parses it).

WeasyPrint, and presswork drawing over its pages, write one operator a line, text as hex
strings (or the empty literal ``()`` between them), and colours as device colours: such
a stream is read by finding the few lines that end in a colour operator, rather than by
parsing a report's every operator into objects and writing them back, which took a
second and a half of its join. Anything else it may hold that a line cannot be read
past (a comment, a literal string with content, an inline image's data, a colour set in
a colour space, which needs the graphics state followed), or a colour operator found
anywhere but at a line's end, and the stream is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

CMYK = tuple[float, float, float, float]
Convert = Callable[[str, tuple[float, ...]], CMYK]

# The operators that set a device colour: what each becomes in inks, its colour space
# and how many operands it takes.
SET_IN_DEVICE = {
    "rg": ("k", "rgb", 3),
    "RG": ("K", "rgb", 3),
    "g": ("k", "gray", 1),
    "G": ("K", "gray", 1),
}
# Each at a line's end, as it is found.
_ENDINGS = {
    f" {operator}\n".encode("ascii"): (new.encode("ascii"), space, count)
    for operator, (new, space, count) in SET_IN_DEVICE.items()
}
# Cheap to look for: where none of these bytes is in a stream, neither is what they
# begin (the expression below, which is run only where one is).
_SUSPECT = (b"%", b"BI", b"cs", b"CS", b"sc", b"SC")
_NOT_PLAIN = re.compile(rb"%|(?<![^\s\]>)])(?:BI|cs|CS|scn?|SCN?)(?![^\s\[<(/])")
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")
_LEFT = (b"rg", b"RG")  # what may not be left once every line is rewritten


def rewritten(data: bytes, convert: Convert) -> bytes | None:
    """``data`` with its device colours in inks (``data`` itself where it has none), or
    None where it must be parsed."""
    if any(mark in data for mark in _SUSPECT) and _NOT_PLAIN.search(data):
        return None
    if data.count(b"(") != data.count(b"()"):
        return None
    text = data if data.endswith(b"\n") else data + b"\n"
    pieces: list[bytes] = []
    start = 0
    for at, ending in sorted(_found(text)):
        new, space, count = _ENDINGS[ending]
        line = text.rfind(b"\n", 0, at) + 1
        tokens = text[line:at].split()
        operands = tokens[-count:]
        if len(operands) < count or not all(map(_NUMBER.fullmatch, operands)):
            return None
        inks = convert(space, tuple(float(v) for v in operands))
        written = [*tokens[:-count], *(_number(v) for v in inks), new]
        pieces += [text[start:line], b" ".join(written), b"\n"]
        start = at + len(ending)
    if not pieces:
        return data
    pieces.append(text[start:])
    result = b"".join(pieces)
    if not data.endswith(b"\n"):
        result = result[:-1]
    return None if any(operator in result for operator in _LEFT) else result


def _found(text: bytes) -> Iterator[tuple[int, bytes]]:
    for ending in _ENDINGS:
        at = text.find(ending)
        while at >= 0:
            yield at, ending
            at = text.find(ending, at + 1)


def _number(value: float) -> bytes:
    """A number as few characters write it: ``0``, ``0.05``, ``1``."""
    written = f"{value:.4f}".rstrip("0").rstrip(".")
    return (written or "0").encode("ascii")
