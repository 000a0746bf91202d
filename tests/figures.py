"""Image files for the tests, good and hostile, made here rather than kept as binaries.

In: nothing. Out: a small PNG, the same cut short, a JPEG, a cover-sized JPEG, a PNG of
a few kilobytes that decodes to 180 megapixels, and SVGs that each do one thing an
edition must not carry (with the line where they do it).
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image


def _saved(image: Image.Image, format: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format)
    return out.getvalue()


@cache
def png() -> bytes:
    """A 300 × 200 chart-like PNG, with enough detail that its data is many chunks."""
    image = Image.linear_gradient("L").resize((300, 200)).convert("RGB")
    return _saved(image, "PNG")


@cache
def jpeg() -> bytes:
    return _saved(Image.new("RGB", (60, 40), "#cc3300"), "JPEG")


@cache
def cover() -> bytes:
    """A cover as reading apps want it: 1600 × 2560 pixels, JPEG."""
    return _saved(Image.new("RGB", (1600, 2560), "#143c78"), "JPEG")


@cache
def bomb() -> bytes:
    """20,000 × 9,000 one-bit pixels: a few kilobytes of PNG, 720 MB decoded as RGBA."""
    return _saved(Image.new("1", (20_000, 9_000)), "PNG")


_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' width="10" height="10">\n'
)
GOOD_SVG = (
    _OPEN
    + '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>\n'
    + '<rect width="10" height="10" fill="url(#g)" style="stroke: url(#g)"/>\n'
    + '<use href="#g"/>\n</svg>\n'
).encode()
HOSTILE_SVGS: dict[str, tuple[bytes, int]] = {
    "image from the network": (
        (
            _OPEN + '<image href="http://127.0.0.1/track.png" width="5" height="5"/>\n</svg>\n'
        ).encode(),
        2,
    ),
    "image from a local file": (
        (_OPEN + '<rect/>\n<image xlink:href="file:///etc/passwd"/>\n</svg>\n').encode(),
        3,
    ),
    "image from another file": (
        (_OPEN + '<use href="other.svg#shape"/>\n</svg>\n').encode(),
        2,
    ),
    "script": ((_OPEN + "<script>alert(1)</script>\n</svg>\n").encode(), 2),
    "event handler": ((_OPEN + '<rect onclick="alert(1)"/>\n</svg>\n').encode(), 2),
    "stylesheet import": (
        (_OPEN + "<style>@import url(https://example.org/a.css);</style>\n</svg>\n").encode(),
        2,
    ),
    "paint from another file": (
        (_OPEN + '<rect fill="url(https://example.org/p.svg#p)"/>\n</svg>\n').encode(),
        2,
    ),
    "entities": (
        (
            '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            + _OPEN
            + "<text>&e;</text>\n</svg>\n"
        ).encode(),
        1,
    ),
    "not well-formed": ((_OPEN + "<rect>\n</svg>\n").encode(), 3),
}
