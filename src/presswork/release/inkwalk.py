"""What the pages of a print PDF put on the plates: the colour spaces, colour operators,
images, shadings and fonts each page reaches, and the colour of every text run.

In: the pages of a PDF opened with pikepdf (their content, resources and annotations,
and below them forms, tiling patterns, shadings, soft mask groups, appearance streams
and Type3 glyphs). Out: for each page, a :class:`Reached`: where it paints in RGB, in
words, and the fonts it uses, each embedded or not (:class:`Reach`); and the inks of
each text run it draws, its graphics state followed through ``q``/``Q`` and into forms
(:func:`text_inks`). Used by :mod:`presswork.release.preflight`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import pikepdf

# The colour spaces named by themselves, the abbreviations of inline images included.
_DEVICE = {
    "/DeviceRGB": "rgb",
    "/RGB": "rgb",
    "/DeviceCMYK": "cmyk",
    "/CMYK": "cmyk",
    "/DeviceGray": "gray",
    "/G": "gray",
    "/Pattern": "pattern",
}
_CIE = {"/CalRGB": "rgb", "/CalGray": "gray", "/Lab": "lab"}
_ICC_CHANNELS = {1: "gray", 3: "rgb", 4: "cmyk"}
_TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
# Text render modes that fill the glyphs, and those that stroke them (ISO 32000-1, 9.3.6).
_FILLS = frozenset({0, 2, 4, 6})
_STROKES = frozenset({1, 2, 5, 6})
_NESTING = 16  # deeper colour spaces or forms than this are a damaged or hostile file


@dataclass(frozen=True)
class Space:
    """A colour space as far as the plates are concerned: its kind (``rgb``, ``cmyk``,
    ``gray``, ``lab``, ``indexed``, ``separation``, ``devicen``, ``pattern`` or
    ``unknown``), whether it is a device space (as opposed to a CIE or ICC one), the
    colorants a separation or DeviceN names, and the space beneath it: the base of an
    indexed or pattern space, the alternate of a separation or DeviceN."""

    kind: str
    device: bool = True
    colorants: tuple[str, ...] = ()
    base: Space | None = None
    lookup: bytes = b""

    def is_rgb(self) -> bool:
        return self.kind == "rgb" or (self.base is not None and self.base.is_rgb())

    def components(self) -> int:
        counts = {"gray": 1, "rgb": 3, "cmyk": 4, "lab": 3, "indexed": 1}
        return counts.get(self.kind, len(self.colorants))


UNKNOWN = Space("unknown")


def named_spaces(resources: Any) -> Any:
    found = resources.get("/ColorSpace") if isinstance(resources, pikepdf.Dictionary) else None
    return found if isinstance(found, pikepdf.Dictionary) else pikepdf.Dictionary()


def space_of(given: Any, resources: Any, depth: int = 0) -> Space:
    """The colour space ``given`` names or is, a resource name looked up in
    ``resources``."""
    if depth > _NESTING or given is None:
        return UNKNOWN
    if isinstance(given, pikepdf.Name):
        name = str(given)
        if name in _DEVICE:
            return Space(_DEVICE[name])
        named = named_spaces(resources).get(name)
        return space_of(named, resources, depth + 1) if named is not None else UNKNOWN
    if not isinstance(given, pikepdf.Array) or len(given) == 0:
        return UNKNOWN
    family, deeper = str(given[0]), depth + 1
    if family in _DEVICE and len(given) == 1:
        return Space(_DEVICE[family])
    if family in _CIE:
        return Space(_CIE[family], device=False)
    if family == "/ICCBased" and len(given) > 1:
        return Space(_ICC_CHANNELS.get(int(given[1].get("/N", 0)), "unknown"), device=False)
    if family in ("/Indexed", "/I") and len(given) > 3:
        table = given[3]
        lookup = table.read_bytes() if isinstance(table, pikepdf.Stream) else bytes(table)
        return Space("indexed", base=space_of(given[1], resources, deeper), lookup=lookup)
    if family == "/Separation" and len(given) > 2:
        return Space(
            "separation", colorants=(str(given[1]),), base=space_of(given[2], resources, deeper)
        )
    if family == "/DeviceN" and len(given) > 2:
        names = tuple(str(n) for n in given[1])
        return Space("devicen", colorants=names, base=space_of(given[2], resources, deeper))
    if family == "/Pattern":
        return Space(
            "pattern", base=space_of(given[1], resources, deeper) if len(given) > 1 else None
        )
    return UNKNOWN


def _entries(resources: Any, kind: str) -> list[tuple[str, Any]]:
    found = resources.get(kind) if isinstance(resources, pikepdf.Dictionary) else None
    return [(str(k), v) for k, v in found.items()] if isinstance(found, pikepdf.Dictionary) else []


@dataclass(frozen=True)
class Reached:
    """What a page (or something it draws) reaches: where RGB is, in words, and each
    font as (key, name, embedded)."""

    rgb: frozenset[str] = frozenset()
    fonts: frozenset[tuple[str, str, bool]] = frozenset()

    def __or__(self, other: Reached) -> Reached:
        return Reached(self.rgb | other.rgb, self.fonts | other.fonts)


NOTHING = Reached()


@dataclass
class Reach:
    """Walks pages down to every content stream and resource they reach; each indirect
    object is walked once, however many pages share it, and what it reaches is kept."""

    known: dict[tuple[int, int], Reached] = field(default_factory=dict)
    walking: set[tuple[int, int]] = field(default_factory=set)
    images: set[tuple[int, int]] = field(default_factory=set)
    streams: int = 0

    def page(self, page: Any) -> Reached:
        found = self._drawing(page, "page content", inherited(page, "/Resources"))
        for annotation in page.get("/Annots", []):
            appearances = (
                annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
            )
            where = f"appearance of a {annotation.get('/Subtype', 'nameless')} annotation"
            for state in ("/N", "/R", "/D"):
                shown = (
                    appearances.get(state) if isinstance(appearances, pikepdf.Dictionary) else None
                )
                streams = [shown] if isinstance(shown, pikepdf.Stream) else _values(shown)
                for stream in streams:
                    found |= self._drawing(stream, where, stream.get("/Resources"))
        return found

    def _once(self, walked: Any, walk: Callable[[], Reached]) -> Reached:
        """What ``walked`` reaches, walked once; an object met again inside its own walk
        (a form that draws itself) adds nothing."""
        key = walked.objgen
        if key in self.known:
            return self.known[key]
        if key in self.walking or len(self.walking) > _NESTING:
            return NOTHING
        if key == (0, 0):  # a direct object: part of the indirect one that holds it
            return walk()
        self.walking.add(key)
        try:
            found = self.known[key] = walk()
        finally:
            self.walking.discard(key)
        return found

    def _drawing(self, holder: Any, where: str, resources: Any) -> Reached:
        """A page, form, tiling pattern, soft mask group, appearance or glyph: its
        content, its transparency group and its resources."""

        def walk() -> Reached:
            self.streams += 1
            rgb = set(_rgb_in_content(holder, where, resources))
            group = holder.get("/Group")
            if (
                isinstance(group, pikepdf.Dictionary)
                and space_of(group.get("/CS"), resources).is_rgb()
            ):
                rgb.add(f"RGB transparency group of {where}")
            return Reached(frozenset(rgb)) | self._resources(resources, where)

        return self._once(holder, walk)

    def _resources(self, resources: Any, where: str) -> Reached:
        if not isinstance(resources, pikepdf.Dictionary):
            return NOTHING
        return self._once(resources, lambda: self._resources_walked(resources, where))

    def _resources_walked(self, resources: Any, where: str) -> Reached:
        rgb: set[str] = set()
        fonts: set[tuple[str, str, bool]] = set()
        found = NOTHING
        for name, space in _entries(resources, "/ColorSpace"):
            if space_of(space, resources).is_rgb():
                rgb.add(f"RGB colour space {name} in {where}")
        for name, xobject in _entries(resources, "/XObject"):
            if xobject.get("/Subtype") == "/Image":
                self.images.add(xobject.objgen)
                if space_of(xobject.get("/ColorSpace"), resources).is_rgb():
                    rgb.add(f"RGB image {name}")
            elif xobject.get("/Subtype") == "/Form":
                found |= self._drawing(
                    xobject, f"form {name}", xobject.get("/Resources", resources)
                )
        for name, pattern in _entries(resources, "/Pattern"):
            if pattern.get("/PatternType") == 1:
                found |= self._drawing(pattern, f"pattern {name}", pattern.get("/Resources"))
            elif _shading_is_rgb(pattern.get("/Shading"), resources):
                rgb.add(f"RGB shading in pattern {name}")
        for name, shading in _entries(resources, "/Shading"):
            if _shading_is_rgb(shading, resources):
                rgb.add(f"RGB shading {name}")
        for name, state in _entries(resources, "/ExtGState"):
            mask = state.get("/SMask")
            group = mask.get("/G") if isinstance(mask, pikepdf.Dictionary) else None
            if isinstance(group, pikepdf.Stream):
                found |= self._drawing(group, f"soft mask of {name}", group.get("/Resources"))
        for name, font in _entries(resources, "/Font"):
            fonts.add(_font(font, name, where))
            if font.get("/Subtype") == "/Type3":
                glyphs = font.get("/Resources", resources)
                found |= self._resources(font.get("/Resources"), f"Type3 font {name}")
                for glyph in _values(font.get("/CharProcs")):
                    found |= self._drawing(glyph, f"a glyph of Type3 font {name}", glyphs)
        return found | Reached(frozenset(rgb), frozenset(fonts))


def _values(dictionary: Any) -> list[Any]:
    if not isinstance(dictionary, pikepdf.Dictionary):
        return []
    return [v for v in dictionary.values() if isinstance(v, pikepdf.Stream)]


def _shading_is_rgb(shading: Any, resources: Any) -> bool:
    return (
        isinstance(shading, pikepdf.Object)
        and space_of(shading.get("/ColorSpace"), resources).is_rgb()
    )


def _font(font: Any, name: str, where: str) -> tuple[str, str, bool]:
    """(a key that tells this font from another, its name, whether it is embedded)."""
    key = str(font.objgen) if font.objgen != (0, 0) else f"{where} {name}"
    shown = str(font.get("/BaseFont", name))
    if font.get("/Subtype") == "/Type3":
        return key, shown, True  # its glyphs are in the file: content streams
    descendants = font.get("/DescendantFonts")
    described = descendants[0] if isinstance(descendants, pikepdf.Array) and descendants else font
    descriptor = described.get("/FontDescriptor")
    files = ("/FontFile", "/FontFile2", "/FontFile3")
    embedded = isinstance(descriptor, pikepdf.Dictionary) and any(f in descriptor for f in files)
    return key, shown, embedded


def inherited(page: Any, key: str) -> Any:
    """A page attribute that may be inherited from the page tree above it."""
    node, depth = page, 0
    while isinstance(node, pikepdf.Dictionary) and depth <= _NESTING:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


def _rgb_in_content(holder: Any, where: str, resources: Any) -> list[str]:
    found = []
    for instruction in pikepdf.parse_content_stream(holder):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage.obj
            space = image.get("/ColorSpace", image.get("/CS"))
            if space_of(space, resources).is_rgb():
                found.append(f"RGB inline image in {where}")
            continue
        operator = str(instruction.operator)
        if operator in ("rg", "RG"):
            found.append(f"{operator} in {where}")
        elif operator in ("cs", "CS") and instruction.operands:
            chosen = instruction.operands[0]
            if space_of(chosen, resources).is_rgb():
                found.append(f"{chosen} {operator} in {where}")
    return found


class Paint(NamedTuple):
    space: Space
    values: tuple[float, ...]


class Graphics(NamedTuple):
    """The part of the graphics state that says what ink text takes."""

    fill: Paint
    stroke: Paint
    mode: int


_BLACK = Paint(Space("gray"), (0.0,))  # every page starts in DeviceGray black
_SET_IN_DEVICE = {"g": "gray", "rg": "rgb", "k": "cmyk"}


def text_inks(page: Any) -> Counter[tuple[str, bool]]:
    """How many text runs the page draws in each ink, as (words, black ink alone)."""
    counted: Counter[tuple[str, bool]] = Counter()
    state = Graphics(_BLACK, _BLACK, 0)
    _draw_text(page, inherited(page, "/Resources"), state, counted, ())
    return counted


def _draw_text(
    holder: Any,
    resources: Any,
    state: Graphics,
    counted: Counter[tuple[str, bool]],
    forms: tuple[tuple[int, int], ...],
) -> None:
    saved: list[Graphics] = []
    for instruction in pikepdf.parse_content_stream(holder):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operator, operands = str(instruction.operator), list(instruction.operands)
        numbers = tuple(float(x) for x in operands if isinstance(x, int | float | Decimal))
        lower = operator.lower()
        if operator == "q":
            saved.append(state)
        elif operator == "Q":
            state = saved.pop() if saved else state
        elif lower in _SET_IN_DEVICE:
            state = _painted(state, operator, Paint(Space(_SET_IN_DEVICE[lower]), numbers))
        elif lower == "cs" and operands:
            space = space_of(operands[0], resources)
            state = _painted(state, operator, Paint(space, _initial(space)))
        elif lower in ("sc", "scn"):
            current = state.fill if operator.islower() else state.stroke
            state = _painted(state, operator, Paint(current.space, numbers))
        elif operator == "Tr" and numbers:
            state = state._replace(mode=int(numbers[0]))
        elif operator in _TEXT_SHOWING:
            counted[_run_ink(state)] += 1
        elif operator == "Do" and operands:
            form = _entries(resources, "/XObject")
            drawn = dict(form).get(str(operands[0]))
            if (
                isinstance(drawn, pikepdf.Stream)
                and drawn.get("/Subtype") == "/Form"
                and drawn.objgen not in forms
                and len(forms) < _NESTING
            ):
                # A form starts from the graphics state at its Do, and leaves it as it was.
                inner = drawn.get("/Resources", resources)
                _draw_text(drawn, inner, state, counted, (*forms, drawn.objgen))


def _painted(state: Graphics, operator: str, paint: Paint) -> Graphics:
    """Lower-case colour operators set the fill, upper-case ones the stroke."""
    return state._replace(fill=paint) if operator.islower() else state._replace(stroke=paint)


def _initial(space: Space) -> tuple[float, ...]:
    """The colour a ``cs`` operator sets with its space (ISO 32000-1, 8.6.8)."""
    if space.kind == "cmyk":
        return (0.0, 0.0, 0.0, 1.0)
    if space.kind in ("separation", "devicen"):
        return (1.0,) * len(space.colorants)
    return (0.0,) * space.components()


def _run_ink(state: Graphics) -> tuple[str, bool]:
    """The ink of one text run, as words and whether it is black ink alone."""
    fill = ink(state.fill) if state.mode in _FILLS else None
    stroke = ink(state.stroke) if state.mode in _STROKES else None
    if fill is not None and stroke is not None and fill != stroke:
        return f"{fill[0]} with stroke {stroke[0]}", fill[1] and stroke[1]
    if fill is not None:
        return fill
    if stroke is not None:
        return f"stroke {stroke[0]}", stroke[1]
    return "invisible text", True


def percent(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".")


def _in_black(k: float) -> tuple[str, bool]:
    return ("white (no ink)" if k <= 0 else f"K {percent(k)} %"), True


def ink(paint: Paint) -> tuple[str, bool]:
    """A colour in words, and whether it prints in black ink alone (or in none)."""
    space, values = paint.space, paint.values
    if space.kind == "indexed" and space.base is not None and values:
        width = space.base.components()
        entry = space.lookup[int(values[0]) * width : (int(values[0]) + 1) * width]
        return ink(Paint(space.base, tuple(b / 255 for b in entry)))
    prefix = "" if space.device else "ICC "
    if space.kind == "cmyk" and len(values) == 4:
        c, m, y, k = values
        if space.device and c == m == y == 0:
            return _in_black(k)
        return f"{prefix}C {percent(c)} M {percent(m)} Y {percent(y)} K {percent(k)}", False
    if space.kind == "gray" and values:
        # Under a CMYK output intent, DeviceGray prints in black ink alone.
        words, _ = _in_black(1 - values[0])
        return (words, True) if space.device else (f"{prefix}gray {words}", False)
    if space.kind in ("separation", "devicen") and values:
        tints = dict(zip(space.colorants, values, strict=False))
        inked = {n: t for n, t in tints.items() if t > 0 and n != "/None"}
        if "/All" in inked:
            return f"registration (All) {percent(inked['/All'])} %", False
        if set(inked) <= {"/Black"}:
            return _in_black(inked.get("/Black", 0.0))
        return " ".join(f"{n[1:]} {percent(t)} %" for n, t in inked.items()), False
    shown = " ".join(f"{v:g}" for v in values)
    return (
        f"{space.kind if space.kind != 'unknown' else 'an unknown colour space'} {shown}".strip(),
        False,
    )
