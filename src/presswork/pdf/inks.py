"""Colours in the printing condition's inks: the one place a colour of the screen
edition is turned into process inks.

In: a :class:`~presswork.styles.PrintEdition`: the printing condition's ICC profile and
the inks the designer set for the colours of ``pdf.css``. Out: :class:`Inks`, which gives
a colour (sRGB, grey or Lab, as a page paints it) in cyan, magenta, yellow and black,
and an image in the profile's CMYK: a colour the designer named takes their inks; any
other grey, black ink alone as light as that grey (read off the profile's black ramp);
any other colour, and every pixel of an image, what the profile makes of it (relative
colorimetric, black point compensated, from the image's own profile where it has one).
"""

from __future__ import annotations

import io
from bisect import bisect_left
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

from presswork.styles import CMYK, PrintEdition

if TYPE_CHECKING:  # loaded only where a colour or an image goes through the profile
    from PIL import ImageCms

Space = Literal["rgb", "gray", "lab", "cmyk", "other"]


def _cms() -> Any:
    """Pillow's colour management, loaded where it is used: a layout process converts
    the colours pdf.css names, which need none of it."""
    from PIL import ImageCms

    return ImageCms


def _transform(source: Any, target: Any, modes: tuple[str, str]) -> ImageCms.ImageCmsTransform:
    """A relative colorimetric transform, black point compensated."""
    cms = _cms()
    intent, flags = cms.Intent.RELATIVE_COLORIMETRIC, cms.Flags.BLACKPOINTCOMPENSATION
    built: ImageCms.ImageCmsTransform = cms.buildTransform(source, target, *modes, intent, flags)
    return built


def _srgb() -> ImageCms.ImageCmsProfile:
    profile: ImageCms.ImageCmsProfile = _cms().ImageCmsProfile(_cms().createProfile("sRGB"))
    return profile


def _lab() -> ImageCms.ImageCmsProfile:
    profile: ImageCms.ImageCmsProfile = _cms().ImageCmsProfile(_cms().createProfile("LAB", 5000))
    return profile


class Inks:
    """Colours of the screen edition in the printing condition's inks."""

    def __init__(self, edition: PrintEdition) -> None:
        self.named = dict(edition.inks)
        self.edition = edition
        self.known: dict[tuple[str, tuple[float, ...]], CMYK] = {}

    # The profile and the transforms through it are made only when a colour or an image
    # needs them: most books paint only the colours pdf.css names, which need none.

    @cached_property
    def profile(self) -> ImageCms.ImageCmsProfile:
        profile: ImageCms.ImageCmsProfile = _cms().getOpenProfile(str(self.edition.intent.profile))
        return profile

    @cached_property
    def from_srgb(self) -> ImageCms.ImageCmsTransform:
        return _transform(_srgb(), self.profile, ("RGB", "CMYK"))

    @cached_property
    def from_lab(self) -> ImageCms.ImageCmsTransform:
        return _transform(_lab(), self.profile, ("LAB", "CMYK"))

    @cached_property
    def srgb_lightness(self) -> ImageCms.ImageCmsTransform:
        return _transform(_srgb(), _lab(), ("RGB", "LAB"))

    @cached_property
    def black_lightness(self) -> list[int]:
        """The lightness of black ink alone at each of 256 steps, from paper to solid."""
        ramp = Image.frombytes("CMYK", (256, 1), bytes(b for k in range(256) for b in (0, 0, 0, k)))
        cms = _cms()
        relative = cms.Intent.RELATIVE_COLORIMETRIC
        black = cms.buildTransform(self.profile, _lab(), "CMYK", "LAB", relative)
        return [px[0] for px in _pixels(_apply(ramp, black))]

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
            source = _cms().getOpenProfile(io.BytesIO(icc))
            transform = _transform(source, self.profile, ("RGB", "CMYK"))
        return _apply(picture, transform)


def _apply(picture: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    converted = _cms().applyTransform(picture, transform)
    assert isinstance(converted, Image.Image)  # None only for a transform made in place
    return converted


def _pixels(picture: Image.Image) -> Iterator[Any]:
    return (picture.getpixel((x, 0)) for x in range(picture.width))


def _inks(picture: Image.Image) -> CMYK:
    pixel = picture.getpixel((0, 0))
    assert isinstance(pixel, tuple)
    c, m, y, k = pixel
    return (round(c / 255, 4), round(m / 255, 4), round(y / 255, 4), round(k / 255, 4))
