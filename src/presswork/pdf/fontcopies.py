"""Font dictionaries as WeasyPrint writes them: read, and written again the same way.

In: a :class:`pikepdf.Pdf` written by WeasyPrint, or parts of one. Out: every font slot
of its pages (:func:`font_slots`), each font dictionary read as a :class:`FontCopy` (its
glyphs' widths from ``/W`` and text from ``/ToUnicode``) where it is one WeasyPrint
writes for a vector font, and the ``/W`` array and ToUnicode CMap written back in
WeasyPrint's own form (:func:`width_array`, :func:`to_unicode_cmap`). What is not as
WeasyPrint writes it is not read, and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pikepdf

Width = int | Decimal
ObjGen = tuple[int, int]
# What is read from a font dictionary's /W and /ToUnicode: each glyph's width and text.
Read = tuple[dict[int, Width], dict[int, bytes]]
FONT_FILE_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")

# The ToUnicode CMap exactly as WeasyPrint writes it (pdf/fonts.py, build_fonts_dictionary).
_CMAP_HEAD = (
    b"/CIDInit /ProcSet findresource begin",
    b"12 dict begin",
    b"begincmap",
    b"/CIDSystemInfo",
    b"<< /Registry (Adobe)",
    b"/Ordering (UCS)",
    b"/Supplement 0",
    b">> def",
    b"/CMapName /Adobe-Identity-UCS def",
    b"/CMapType 2 def",
    b"1 begincodespacerange",
    b"<0000> <ffff>",
    b"endcodespacerange",
)
_CMAP_TAIL = (b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end")
_CMAP_BATCH = 100
_CODESPACE = re.compile(rb"1\s+begincodespacerange\s+<0000>\s*<ffff>\s+endcodespacerange", re.I)
_BFCHAR = re.compile(rb"(\d+)\s+beginbfchar\b(.*?)\bendbfchar", re.S)
_PAIR = re.compile(rb"\s*<([0-9A-Fa-f]{4})>\s*<((?:[0-9A-Fa-f]{4})*)>")


@dataclass
class FontCopy:
    """One font dictionary, as one part wrote it."""

    font: Any
    cidfont: Any
    descriptor: Any
    file_key: str
    file: Any
    widths: dict[int, Width]
    to_unicode: dict[int, bytes]  # glyph id: UTF-16BE text, as lowercase hex


def font_slots(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, str, Any]]:
    """(font resource dictionary, resource name, font dictionary) for every indirect font
    reachable from the pages, the forms and tiling patterns they draw, their annotations'
    appearances and the AcroForm's default resources, in page order."""
    seen: set[ObjGen] = set()

    def first_visit(obj: Any) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    pending: list[Any] = []
    for page in pdf.pages:
        pending.append(_inherited_resources(page.obj))
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            for annotation in annotations:
                appearances = (
                    annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
                )
                if isinstance(appearances, pikepdf.Dictionary):
                    for appearance in appearances.values():
                        streams = (
                            appearance.values()
                            if isinstance(appearance, pikepdf.Dictionary)
                            else [appearance]
                        )
                        pending.extend(
                            stream.get("/Resources")
                            for stream in streams
                            if isinstance(stream, pikepdf.Stream) and first_visit(stream)
                        )
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary):
        pending.append(acroform.get("/DR"))

    pending.reverse()
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary) or not first_visit(resources):
            continue
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary) and first_visit(fonts):
            for name, font in fonts.items():
                if font.is_indirect and isinstance(font, pikepdf.Dictionary):
                    yield fonts, name, font
        children: list[Any] = []
        for kind in ("/XObject", "/Pattern"):
            objects = resources.get(kind)
            if isinstance(objects, pikepdf.Dictionary):
                children.extend(
                    obj.get("/Resources")
                    for obj in objects.values()
                    if isinstance(obj, pikepdf.Stream) and first_visit(obj)
                )
        pending.extend(reversed(children))


def _inherited_resources(page: Any) -> Any:
    node, depth = page, 0
    while isinstance(node, pikepdf.Dictionary) and depth < 64:
        resources = node.get("/Resources")
        if resources is not None:
            return resources
        node, depth = node.get("/Parent"), depth + 1
    return None


def read_fonts(pdf: pikepdf.Pdf) -> dict[ObjGen, Read]:
    """The widths and text of every font of ``pdf``'s pages that a plan reads, by their
    objects: read before the pages are joined into a book, so that the book's plan need
    not read them again (see :func:`plan`)."""
    read: dict[ObjGen, Read] = {}
    for _fonts, _name, font in font_slots(pdf):
        if font.objgen not in read:
            copy = read_copy(font)
            if copy is not None:
                read[font.objgen] = (copy.widths, copy.to_unicode)
    return read


def read_copy(font: Any, known: Read | None = None) -> FontCopy | None:
    """The copy, if ``font`` is a font dictionary as WeasyPrint writes it for a vector
    font with all its glyphs: Type0, Identity-H, one TrueType or OpenType CIDFont;
    ``known``: its widths and text, read before."""
    try:
        if font.get("/Subtype") != pikepdf.Name.Type0:
            return None
        if font.get("/Encoding") != pikepdf.Name("/Identity-H"):
            return None
        if not isinstance(font.get("/BaseFont"), pikepdf.Name):
            return None
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
            return None
        cidfont = descendants[0]
        if not isinstance(cidfont, pikepdf.Dictionary) or "/DW" in cidfont:
            return None
        if cidfont.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            return None
        descriptor = cidfont.get("/FontDescriptor")
        if not isinstance(descriptor, pikepdf.Dictionary) or not descriptor.is_indirect:
            return None
        files = [key for key in FONT_FILE_KEYS if key in descriptor]
        if cidfont.get("/Subtype") == pikepdf.Name.CIDFontType2 and files == ["/FontFile2"]:
            file_key = "/FontFile2"
        elif cidfont.get("/Subtype") == pikepdf.Name.CIDFontType0 and files == ["/FontFile3"]:
            file_key = "/FontFile3"
        else:
            return None
        font_file = descriptor[file_key]
        if not isinstance(font_file, pikepdf.Stream):
            return None
        if file_key == "/FontFile3" and font_file.get("/Subtype") != pikepdf.Name.OpenType:
            return None
        to_unicode_stream = font.get("/ToUnicode")
        if not isinstance(to_unicode_stream, pikepdf.Stream):
            return None
        if known is not None:
            widths, to_unicode = known
        else:
            parsed_widths = _parse_widths(cidfont.get("/W"))
            parsed_text = _parse_to_unicode(to_unicode_stream.read_bytes())
            if parsed_widths is None or parsed_text is None:
                return None
            widths, to_unicode = parsed_widths, parsed_text
    except Exception:  # whatever is not as WeasyPrint writes it is left alone
        return None
    return FontCopy(font, cidfont, descriptor, file_key, font_file, widths, to_unicode)


def _parse_widths(array: Any) -> dict[int, Width] | None:
    """Glyph id: width, from a CIDFont's ``/W`` (both ``c [w…]`` and ``c1 c2 w`` forms)."""
    if not isinstance(array, pikepdf.Array):
        return None
    items: list[Any] = list(array)
    widths: dict[int, Width] = {}

    def put(gid: int, width: Any) -> bool:
        if not _is_number(width) or not 0 <= gid <= 0xFFFF:
            return False
        return bool(widths.setdefault(gid, width) == width)

    i = 0
    while i < len(items):
        first = items[i]
        following: Any = items[i + 1] if i + 1 < len(items) else None
        if not _is_int(first):
            return None
        if isinstance(following, pikepdf.Array):
            if not all(put(first + offset, width) for offset, width in enumerate(following)):
                return None
            i += 2
        elif _is_int(following) and i + 2 < len(items) and following - first <= 0xFFFF:
            if not all(put(gid, items[i + 2]) for gid in range(first, following + 1)):
                return None
            i += 3
        else:
            return None
    return widths


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, Decimal)


def _parse_to_unicode(data: bytes) -> dict[int, bytes] | None:
    """Glyph id: text, from a ToUnicode CMap of ``bfchar`` entries only, as WeasyPrint
    writes them; None for anything else (ranges, other code spaces)."""
    if not _CODESPACE.search(data) or b"bfrange" in data or b"usecmap" in data:
        return None
    mapping: dict[int, bytes] = {}
    for block in _BFCHAR.finditer(data):
        body, position, count = block[2], 0, 0
        while (pair := _PAIR.match(body, position)) is not None:
            gid, text = int(pair[1], 16), pair[2].lower()
            if mapping.setdefault(gid, text) != text:
                return None
            position, count = pair.end(), count + 1
        if body[position:].strip() or count != int(block[1]):
            return None
    return mapping


def width_array(widths: dict[int, Width]) -> Any:
    """``/W`` as WeasyPrint writes it: runs of consecutive glyph ids, ``start [w…]``."""
    array: list[Any] = []
    run: list[Width] = []
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            run = []
            array += [gid, run]
        run.append(widths[gid])
        previous = gid
    return pikepdf.Array(array)


def to_unicode_cmap(mapping: dict[int, bytes]) -> bytes:
    """The ToUnicode CMap as WeasyPrint writes it, glyph ids in order."""
    lines = list(_CMAP_HEAD)
    items = sorted(mapping.items())
    for start in range(0, len(items), _CMAP_BATCH):
        batch = items[start : start + _CMAP_BATCH]
        lines.append(b"%d beginbfchar" % len(batch))
        lines.extend(b"<%04x> <%s>" % (gid, text) for gid, text in batch)
        lines.append(b"endbfchar")
    lines.extend(_CMAP_TAIL)
    return b"\n".join(lines)
