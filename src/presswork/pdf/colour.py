"""The print edition's colours: what the laid-out pages paint in sRGB, in process inks.

In: a :class:`pikepdf.Pdf` (the book's laid-out pages, or a unit of them) and a
:class:`~presswork.styles.PrintEdition`: the printing condition's ICC profile and the
inks the designer set for the colours of ``pdf.css``. Out: the same pages, nothing laid
out again, with every colour in DeviceCMYK, which the PDF/X output intent defines: each
colour operator of their content and of the forms and patterns they draw, the colours
of shadings and of transparency groups, and every image, each colour as
:mod:`presswork.pdf.inks` gives it. A grey image stays grey, which the output intent
prints in black ink alone. A unit laid out converts its pages' content beforehand
(:func:`prepare_print`), which the book's print edition then takes.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import pikepdf

from presswork.pdf.devicecolours import SET_IN_DEVICE, rewritten
from presswork.pdf.inks import Inks, Space
from presswork.styles import CMYK, PrintEdition

_CMYK_NAME = pikepdf.Name.DeviceCMYK
_SET_SPACE = {"cs": "fill", "CS": "stroke"}
_SET_COLOUR = {"sc": "fill", "scn": "fill", "SC": "stroke", "SCN": "stroke"}
_CONVERTED: frozenset[Space] = frozenset({"rgb", "gray", "lab"})


def _numbers(inks: CMYK) -> list[Decimal]:
    return [Decimal(f"{v:.4f}").normalize() + 0 for v in inks]


PRINT_CONTENTS = pikepdf.Name("/PressworkPrintContents")
ObjGen = tuple[int, int]
# What the layout converted beforehand, by the object it stands for (a page's content
# stream, a form): its content in inks, Flate-encoded.
Prepared = Mapping[ObjGen, bytes]


@cache
def inks_of(edition: PrintEdition) -> Inks:
    """The inks of ``edition``, made once in a process (its profile read, its
    transforms built)."""
    return Inks(edition)


def prepare_print(pdf: pikepdf.Pdf, edition: PrintEdition) -> None:
    """Give each page of a laid-out unit, beside its content, that content in inks
    (``/PressworkPrintContents``: a stream for each of its content streams), so that
    the print edition takes it rather than converting every page of the book in the
    process that joins them, at every build: a unit is laid out, and converted, once,
    in parallel with the others, and kept in the cache."""
    converter = _Converter(pdf, inks_of(edition))
    for page in pdf.pages:
        streams = _streams(page.obj)
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        converted = converter.converted(page, streams, resources)
        if any(new is not None for new in converted):
            page.obj[PRINT_CONTENTS] = pikepdf.Array(
                [
                    stream if new is None else converter.stream(new)
                    for stream, new in zip(streams, converted, strict=True)
                ]
            )


def in_process_inks(pdf: pikepdf.Pdf, edition: PrintEdition, prepared: Prepared = {}) -> None:  # noqa: B006
    """Turn every colour of ``pdf``'s pages, in place, into the printing condition's
    process inks, taking the content ``prepared`` beforehand where there is some."""
    _Converter(pdf, inks_of(edition), prepared).pages()


def _streams(holder: pikepdf.Object) -> list[pikepdf.Object]:
    contents = holder.get("/Contents")
    found = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return [stream for stream in found if stream is not None]


class _Converter:
    """Walks what the pages draw, converting each object once."""

    def __init__(self, pdf: pikepdf.Pdf, inks: Inks, prepared: Prepared | None = None) -> None:
        self.pdf = pdf
        self.inks = inks
        self.prepared = prepared or {}
        self.seen: set[tuple[int, int]] = set()

    def stream(self, content: bytes) -> pikepdf.Object:
        """A new content stream, compressed as the editions' others are: it is made
        once, where a unit is laid out, and held by every join of the book."""
        return self.pdf.make_stream(zlib.compress(content, 6), Filter=pikepdf.Name.FlateDecode)

    def first_time(self, obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in self.seen:
            return False
        self.seen.add(obj.objgen)
        return True

    def pages(self) -> None:
        for page in self.pdf.pages:
            resources = page.obj.get("/Resources", pikepdf.Dictionary())
            streams = []
            for stream in _streams(page.obj):
                ready = self.prepared.get(stream.objgen)
                if ready is None:
                    streams.append(stream)
                else:
                    stream.write(ready, filter=pikepdf.Name.FlateDecode)
            converted = self.converted(page, streams, resources)
            for stream, new in zip(streams, converted, strict=True):
                if new is not None:
                    stream.write(zlib.compress(new, 1), filter=pikepdf.Name.FlateDecode)
            self.group(page.obj)
            self.resources(resources)

    def converted(
        self, holder: Any, streams: list[pikepdf.Object], resources: pikepdf.Object
    ) -> list[bytes | None]:
        """Each of ``streams`` (the content of ``holder``, a page or a form) in inks, or
        None where it has no colour to convert: rewritten where the colours stand
        (:mod:`presswork.pdf.devicecolours`), or, where one must be parsed, the whole
        content parsed into the first and the others emptied."""
        found: list[bytes | None] = []
        for stream in streams:
            data = stream.read_bytes()
            new = rewritten(data, self.inks.of)  # type: ignore[arg-type]
            if new is None:
                whole = self.parsed(holder, resources)
                if whole is None:
                    return [None] * len(streams)
                emptied: list[bytes | None] = [b""] * (len(streams) - 1)
                return [whole, *emptied]
            found.append(None if new is data else new)
        return found

    def parsed(self, holder: Any, resources: pikepdf.Object) -> bytes | None:
        """The content of a page or form, parsed, with its colours in inks; None if
        unchanged."""
        changed = False
        spaces: dict[str, Space] = {"fill": "gray", "stroke": "gray"}
        saved: list[dict[str, Space]] = []
        operations: list[Any] = []
        for instruction in pikepdf.parse_content_stream(holder):
            operator = str(instruction.operator)
            operands = instruction.operands
            if operator == "q":
                saved.append(dict(spaces))
            elif operator == "Q" and saved:
                spaces = saved.pop()
            if operator in SET_IN_DEVICE:
                new, space, _ = SET_IN_DEVICE[operator]
                values = tuple(float(v) for v in operands)
                inks = self.inks.of(space, values)  # type: ignore[arg-type]
                operations.append((_numbers(inks), pikepdf.Operator(new)))
                spaces["fill" if new == "k" else "stroke"] = "cmyk"
                changed = True
                continue
            if operator in _SET_SPACE:
                space = _space_of(operands[0], resources)
                spaces[_SET_SPACE[operator]] = space
                if space in _CONVERTED:
                    operations.append(([_CMYK_NAME], instruction.operator))
                    changed = True
                    continue
            if operator in _SET_COLOUR:
                space = spaces[_SET_COLOUR[operator]]
                if space in _CONVERTED and all(isinstance(v, int | Decimal) for v in operands):
                    values = tuple(float(v) for v in operands)
                    operations.append((_numbers(self.inks.of(space, values)), instruction.operator))
                    changed = True
                    continue
            operations.append(instruction)
        return pikepdf.unparse_content_stream(operations) if changed else None

    def group(self, holder: pikepdf.Object) -> None:
        """A transparency group blends in the inks."""
        group = holder.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and "/CS" in group:
            group.CS = _CMYK_NAME

    def resources(self, resources: pikepdf.Object) -> None:
        if not isinstance(resources, pikepdf.Dictionary) or not self.first_time(resources):
            return
        for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
            if isinstance(xobject, pikepdf.Stream) and self.first_time(xobject):
                if xobject.get("/Subtype") == "/Image":
                    self.image(xobject)
                elif xobject.get("/Subtype") == "/Form":
                    self.form(xobject, resources)
        for pattern in resources.get("/Pattern", pikepdf.Dictionary()).values():
            if self.first_time(pattern):
                if int(pattern.get("/PatternType", 0)) == 1:
                    self.form(pattern, resources)
                elif "/Shading" in pattern:
                    self.shading(pattern.Shading)
        for shading in resources.get("/Shading", pikepdf.Dictionary()).values():
            if self.first_time(shading):
                self.shading(shading)
        for state in resources.get("/ExtGState", pikepdf.Dictionary()).values():
            mask = state.get("/SMask")
            if isinstance(mask, pikepdf.Dictionary) and "/G" in mask and self.first_time(mask.G):
                backdrop = mask.get("/BC")
                group = mask.G.get("/Group", pikepdf.Dictionary())
                space = _space_of(group.get("/CS"), resources)
                if backdrop is not None and space in _CONVERTED:
                    values = tuple(float(v) for v in backdrop)
                    mask.BC = pikepdf.Array(_numbers(self.inks.of(space, values)))
                self.form(mask.G, resources)
        spaces = resources.get("/ColorSpace")
        if isinstance(spaces, pikepdf.Dictionary):
            for name in list(spaces.keys()):
                if _space_of(pikepdf.Name(name), resources) in _CONVERTED:
                    del spaces[name]  # no content names it any more

    def form(self, form: pikepdf.Object, outer: pikepdf.Object) -> None:
        resources = form.get("/Resources", outer)
        ready = self.prepared.get(form.objgen)
        if ready is not None:
            form.write(ready, filter=pikepdf.Name.FlateDecode)
        else:
            (converted,) = self.converted(form, [form], resources)
            if converted is not None:
                form.write(zlib.compress(converted, 1), filter=pikepdf.Name.FlateDecode)
        self.group(form)
        self.resources(resources)

    def shading(self, shading: pikepdf.Object) -> None:
        space = _space_of(shading.get("/ColorSpace"), pikepdf.Dictionary())
        if space not in _CONVERTED:
            return
        shading.ColorSpace = _CMYK_NAME
        if "/Background" in shading:
            values = tuple(float(v) for v in shading.Background)
            shading.Background = pikepdf.Array(_numbers(self.inks.of(space, values)))
        self.function(shading.get("/Function"), space)

    def function(self, function: pikepdf.Object | None, space: Space) -> None:
        """The colours of an exponential function (type 2), or of those a stitching
        function (type 3) joins; a sampled or PostScript function is left to the
        preflight to find."""
        if not isinstance(function, pikepdf.Dictionary) or not self.first_time(function):
            return
        kind = int(function.get("/FunctionType", -1))
        if kind == 2:
            for key in ("/C0", "/C1"):
                default = [0.0] * 3 if key == "/C0" else [1.0] * 3
                values = tuple(float(v) for v in function.get(key, default))
                function[key] = pikepdf.Array(_numbers(self.inks.of(space, values)))
        elif kind == 3:
            for part in function.Functions:
                self.function(part, space)

    def image(self, xobject: pikepdf.Stream) -> None:
        if xobject.get("/ImageMask", False):
            return
        space = xobject.get("/ColorSpace")
        if _space_of(space, pikepdf.Dictionary()) not in ("rgb", "lab") and not _indexed(space):
            return
        picture = pikepdf.PdfImage(xobject)
        icc = None
        if picture.colorspace == "/ICCBased" and picture.icc is not None:
            icc = picture.icc.tobytes()
        converted = self.inks.image(picture.as_pil_image(), icc)
        xobject.write(zlib.compress(converted.tobytes()), filter=pikepdf.Name.FlateDecode)
        xobject.ColorSpace = _CMYK_NAME
        xobject.BitsPerComponent = 8
        for key in ("/Decode", "/DecodeParms", "/Intent"):
            if key in xobject:
                del xobject[key]


def _space_of(space: Any, resources: pikepdf.Object) -> Space:
    """What a colour space is, given by name (a device space, or one of ``resources``)
    or as an array."""
    if isinstance(space, pikepdf.Name):
        name = str(space)
        device: dict[str, Space] = {
            "/DeviceRGB": "rgb",
            "/DeviceGray": "gray",
            "/DeviceCMYK": "cmyk",
            "/Pattern": "other",
        }
        if name in device:
            return device[name]
        named = resources.get("/ColorSpace", pikepdf.Dictionary()).get(name)
        return "other" if named is None else _space_of(named, pikepdf.Dictionary())
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            channels = int(space[1].get("/N", 0))
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(channels, "other")  # type: ignore[return-value]
        if family == "/CalRGB":
            return "rgb"
        if family == "/CalGray":
            return "gray"
        if family == "/Lab":
            return "lab"
    return "other"


def _indexed(space: Any) -> bool:
    return (
        isinstance(space, pikepdf.Array)
        and len(space) == 4
        and str(space[0]) == "/Indexed"
        and _space_of(space[1], pikepdf.Dictionary()) in ("rgb", "lab")
    )
