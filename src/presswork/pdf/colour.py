"""The print edition's colours: what the laid-out pages paint in sRGB, in process inks.

In: a :class:`pikepdf.Pdf` (the book's laid-out pages) and a
:class:`~presswork.styles.PrintEdition`: the printing condition's ICC profile and the
inks the designer set for the colours of ``pdf.css``. Out: the same pages, nothing laid
out again, with every colour in DeviceCMYK, which the PDF/X output intent defines: each
colour operator of their content and of the forms and patterns they draw, the colours
of shadings and of transparency groups, and every image. A colour the designer named
takes their inks; any other grey, black ink alone as light as that grey (read off the
profile); any other colour, what the profile makes of it (relative colorimetric, black
point compensated); an image, each pixel through the profile. A grey image stays grey,
which the output intent prints in black ink alone.
"""

from __future__ import annotations

import io
import re
import zlib
from bisect import bisect_left
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal

import pikepdf
from PIL import Image, ImageCms

from presswork.styles import CMYK, PrintEdition

Space = Literal["rgb", "gray", "lab", "cmyk", "other"]
_CMYK_NAME = pikepdf.Name.DeviceCMYK
# Operators that set a colour in a device space, and what they become.
_SET_IN_DEVICE = {"rg": ("k", "rgb"), "RG": ("K", "rgb"), "g": ("k", "gray"), "G": ("K", "gray")}
_SET_SPACE = {"cs": "fill", "CS": "stroke"}
_SET_COLOUR = {"sc": "fill", "scn": "fill", "SC": "stroke", "SCN": "stroke"}
_CONVERTED: frozenset[Space] = frozenset({"rgb", "gray", "lab"})
# What a content stream may hold that cannot be read by splitting it at white space: a
# literal string or a comment (either may hold anything), an inline image's data, or a
# colour set in a colour space (which needs the graphics state followed). Any of these
# bytes anywhere, a name's included, and the content is parsed.
_NEEDS_PARSING = (b"(", b"%", b"BI", b"cs", b"CS", b"sc", b"SC")
_DEVICE_OPERATORS = frozenset(op.encode("ascii") for op in _SET_IN_DEVICE)
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")


class Inks:
    """Colours of the screen edition in the printing condition's inks."""

    def __init__(self, edition: PrintEdition) -> None:
        self.named = dict(edition.inks)
        profile = ImageCms.getOpenProfile(str(edition.intent.profile))
        srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB", 5000)
        intent, flags = ImageCms.Intent.RELATIVE_COLORIMETRIC, ImageCms.Flags.BLACKPOINTCOMPENSATION
        self.profile = profile
        self.from_srgb = ImageCms.buildTransform(srgb, profile, "RGB", "CMYK", intent, flags)
        self.from_lab = ImageCms.buildTransform(lab, profile, "LAB", "CMYK", intent, flags)
        self.srgb_lightness = ImageCms.buildTransform(srgb, lab, "RGB", "LAB", intent, flags)
        # The lightness of black ink alone at each of 256 steps, from paper to solid.
        ramp = Image.frombytes("CMYK", (256, 1), bytes(b for k in range(256) for b in (0, 0, 0, k)))
        black = ImageCms.buildTransform(profile, lab, "CMYK", "LAB", intent)
        self.black_lightness = [px[0] for px in _pixels(_apply(ramp, black))]
        self.known: dict[tuple[str, tuple[float, ...]], CMYK] = {}

    def of(self, space: Space, values: tuple[float, ...]) -> CMYK:
        """The inks of a colour given in ``space`` ("rgb", "gray" or "lab")."""
        key = (space, values)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._convert(space, values)
        return found

    def _convert(self, space: Space, values: tuple[float, ...]) -> CMYK:
        if space == "gray":
            values = (values[0],) * 3
            space = "rgb"
        if space == "lab":
            lightness, a, b = values
            pixel = (round(lightness * 2.55), round(a) + 128, round(b) + 128)
            return _inks(_apply(Image.new("LAB", (1, 1), pixel), self.from_lab))
        red, green, blue = (max(0, min(255, round(v * 255))) for v in values)
        named = self.named.get((red, green, blue))
        if named is not None:
            return named
        colour = Image.new("RGB", (1, 1), (red, green, blue))
        if red == green == blue:
            grey = _apply(colour, self.srgb_lightness).getpixel((0, 0))
            assert isinstance(grey, tuple)
            return (0.0, 0.0, 0.0, self._black_for(int(grey[0])))
        return _inks(_apply(colour, self.from_srgb))

    def _black_for(self, lightness: int) -> float:
        """How much black ink alone is as light as ``lightness`` (0 to 255): the step of
        the profile's black ramp nearest to it (the ramp darkens as it goes)."""
        ramp = [-v for v in self.black_lightness]
        step = min(bisect_left(ramp, -lightness), 255)
        if step and abs(self.black_lightness[step - 1] - lightness) < abs(
            self.black_lightness[step] - lightness
        ):
            step -= 1
        return round(step / 255, 4)

    def image(self, picture: Image.Image, icc: bytes | None) -> Image.Image:
        """An image in the inks, each pixel through the profile from its own colour
        space (its embedded profile, or else sRGB)."""
        if picture.mode == "LAB":
            return _apply(picture, self.from_lab)
        if picture.mode != "RGB":
            picture = picture.convert("RGB")
        transform = self.from_srgb
        if icc:
            source = ImageCms.getOpenProfile(io.BytesIO(icc))
            intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
            flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
            transform = ImageCms.buildTransform(source, self.profile, "RGB", "CMYK", intent, flags)
        return _apply(picture, transform)


def _apply(picture: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    converted = ImageCms.applyTransform(picture, transform)
    assert converted is not None  # None only for a transform made in place
    return converted


def _pixels(picture: Image.Image) -> Iterator[Any]:
    return (picture.getpixel((x, 0)) for x in range(picture.width))


def _inks(picture: Image.Image) -> CMYK:
    pixel = picture.getpixel((0, 0))
    assert isinstance(pixel, tuple)
    c, m, y, k = pixel
    return (round(c / 255, 4), round(m / 255, 4), round(y / 255, 4), round(k / 255, 4))


def _numbers(inks: CMYK) -> list[Decimal]:
    return [Decimal(f"{v:.4f}").normalize() + 0 for v in inks]


def in_process_inks(pdf: pikepdf.Pdf, edition: PrintEdition) -> None:
    """Turn every colour of ``pdf``'s pages, in place, into the printing condition's
    process inks."""
    _Converter(pdf, Inks(edition)).pages()


class _Converter:
    """Walks what the pages draw, converting each object once."""

    def __init__(self, pdf: pikepdf.Pdf, inks: Inks) -> None:
        self.pdf = pdf
        self.inks = inks
        self.seen: set[tuple[int, int]] = set()

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
            converted = self.content(page, resources)
            if converted is not None:
                page.obj.Contents = self.pdf.make_stream(converted)
            self.group(page.obj)
            self.resources(resources)

    def content(self, holder: Any, resources: pikepdf.Object) -> bytes | None:
        """The content of a page or form with its colours in inks; None if unchanged."""
        plain = self.plain(_content_bytes(holder))
        if plain is not None:
            return plain or None
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
            if operator in _SET_IN_DEVICE:
                new, space = _SET_IN_DEVICE[operator]
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

    def plain(self, data: bytes) -> bytes | None:
        """Content whose colours are all device colours, among tokens that cannot hide
        one (no string, comment or inline image: split at white space, its tokens are
        its tokens), rewritten line by line where the colours stand: parsing a report's
        every operator into objects and writing them back took a second and a half of
        its join. ``b""`` where nothing changes; None where the content must be parsed
        (a colour whose operands are not plain numbers on its line included)."""
        if any(mark in data for mark in _NEEDS_PARSING):
            return None
        lines = data.split(b"\n")
        changed = False
        for index, line in enumerate(lines):
            if b"g" not in line and b"G" not in line:
                continue
            tokens = line.split()
            if not _DEVICE_OPERATORS.intersection(tokens):
                continue
            written: list[bytes] = []
            for token in tokens:
                operator = token.decode("ascii", "replace")
                if operator in _SET_IN_DEVICE:
                    new, space = _SET_IN_DEVICE[operator]
                    count = 3 if space == "rgb" else 1
                    operands = written[-count:]
                    if len(operands) < count or not all(map(_NUMBER.fullmatch, operands)):
                        return None
                    del written[-count:]
                    inks = self.inks.of(space, tuple(float(v) for v in operands))  # type: ignore[arg-type]
                    written += [str(v).encode("ascii") for v in _numbers(inks)]
                    token = new.encode("ascii")
                written.append(token)
            lines[index] = b" ".join(written)
            changed = True
        return b"\n".join(lines) if changed else b""

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
        converted = self.content(form, resources)
        if converted is not None:
            form.write(zlib.compress(converted), filter=pikepdf.Name.FlateDecode)
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


def _content_bytes(holder: Any) -> bytes:
    """A page's or a form's content, its streams one after the other."""
    if isinstance(holder, pikepdf.Page):
        contents = holder.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        return b"\n".join(s.read_bytes() for s in streams if s is not None)
    data: bytes = holder.read_bytes()
    return data


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
