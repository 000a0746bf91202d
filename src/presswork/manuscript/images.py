"""Check the figures' files before anything decodes or packs them.

In: the book's figures (each a file inside the manuscript folder, already found to exist
and to have an allowed suffix), the cover image ``book.yaml`` names, and a
:class:`~presswork.errors.Report`. Out: a problem for each file that an edition must not
carry (and a warning for a cover narrower than reading apps want):

- a file over :data:`MAX_IMAGE_BYTES`, or a raster image of more than
  :data:`MAX_IMAGE_PIXELS` pixels (a "decompression bomb": 0.7 MB of PNG can decode to
  179 megapixels, 700 MB of memory), found from the file's header, before decoding;
- a raster file that is not what its name says, or that does not decode whole
  (truncated, damaged): decoded here, within the pixel limit, so that no edition shows
  a half-black figure;
- an SVG that declares a DTD or entities, carries a script or event handlers, or refers
  to anything outside itself (``http:``, ``file:``, another file, a stylesheet import):
  the PDF would refuse to fetch it, the ePub would carry it, and a reading system might
  fetch it.

A file that passed is remembered in the cache by its content, so a rebuild does not
decode it again.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from presswork.config.text import Refused, read_bounded
from presswork.errors import Report, diagnostic
from presswork.manuscript.memo import Memo
from presswork.model import Figure

MAX_IMAGE_BYTES = 20_000_000  # far above a print-resolution figure of a report page
MAX_IMAGE_PIXELS = 40_000_000  # 8,000 × 5,000: a full page at 600 dpi; 160 MB decoded
MIN_COVER_WIDTH = 1400  # pixels: the least Apple Books takes for a cover
IMAGE = "image"  # the cache's kind: files that passed, by content
_CHECK = "2"  # changes when the checks change, so that files are checked again
_RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
_XLINK = "{http://www.w3.org/1999/xlink}href"
# The presentation attributes that may hold ``url(…)``.
_PAINTS = (
    "fill",
    "stroke",
    "filter",
    "clip-path",
    "mask",
    "marker-start",
    "marker-mid",
    "marker-end",
    "cursor",
)
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*['\"]?\s*(?!#|data:)", re.IGNORECASE)


def check_cover(
    path: Path, root: Path, line: int, report: Report, memo: Memo | None = None
) -> Path | None:
    """The cover image ``book.yaml`` names (on ``line``), if an ePub can carry it: inside
    the manuscript folder, there, of the format its name says, whole and within the
    limits; a warning where it is narrower than reading apps want."""
    manifest = root / "book.yaml"
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        report.add(
            diagnostic("PW502", "the cover image is outside the manuscript folder", manifest, line)
        )
        return None
    if not resolved.is_file():
        report.add(diagnostic("PW501", f"cover image {path.name} not found", manifest, line))
        return None
    problem = _problem(resolved, memo)
    if problem is not None:
        report.add(diagnostic(problem[0], problem[1], resolved, problem[2]))
        return None
    from PIL import Image

    with Image.open(resolved) as image:
        width, height = image.size
    if width < MIN_COVER_WIDTH:
        report.add(
            diagnostic(
                "PW509",
                f"cover image {path.name} is {width} × {height} pixels: reading apps want "
                f"at least {MIN_COVER_WIDTH} pixels wide (1600 × 2560 is usual)",
                manifest,
                line,
            )
        )
    return resolved


def check_figures(figures: Iterable[Figure], report: Report, memo: Memo | None = None) -> None:
    seen: set[Path] = set()
    for figure in figures:
        if figure.path is None or figure.path in seen:
            continue
        seen.add(figure.path)
        problem = _problem(figure.path, memo)
        if problem is not None:
            code, message, line = problem
            report.add(diagnostic(code, message, figure.path, line))


def _problem(path: Path, memo: Memo | None) -> tuple[str, str, int] | None:
    data = read_bounded(path, MAX_IMAGE_BYTES)
    if isinstance(data, Refused):
        return "PW507", f"image {path.name} {data.why}", 1
    key = hashlib.sha256(f"{_CHECK}\0{path.suffix.lower()}\0".encode() + data).hexdigest()
    if memo is not None and memo.read(IMAGE, key) is not None:
        return None
    if path.suffix.lower() == ".svg":
        problem = _svg_problem(data)
    else:
        found = _raster_problem(data, _RASTER[path.suffix.lower()])
        problem = None if found is None else ("PW507", found, 1)
    if problem is not None:
        code, message, line = problem
        return code, f"image {path.name}: {message}", line
    if memo is not None:
        memo.keep(IMAGE, key, b"ok")
    return None


def _raster_problem(data: bytes, expected: str) -> str | None:
    from PIL import Image, ImageFile, UnidentifiedImageError

    # WeasyPrint, once loaded in this process, lets Pillow load truncated files: not here.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return (
                        f"{width} × {height} pixels, more than the {MAX_IMAGE_PIXELS:,} an "
                        "edition may decode: scale it down"
                    )
                if image.format != expected:
                    return (
                        f"the file is {image.format or 'unknown'}, not {expected} as its name says"
                    )
                for frame in range(getattr(image, "n_frames", 1)):
                    image.seek(frame)
                    image.load()  # the whole of every frame: a truncated file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"not a {expected} image that can be read"
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return f"the file is damaged or cut short ({exc})"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return None


def _svg_problem(data: bytes) -> tuple[str, str, int] | None:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )
    root: Any
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return "PW508", f"not well-formed XML ({exc.msg})", int(exc.lineno or 1)
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return "PW508", "an SVG may not declare a DTD or entities", 1
    if etree.QName(root).localname != "svg":
        return "PW508", "the file is not SVG", int(root.sourceline or 1)
    element: Any
    for element in root.iter():
        line = int(element.sourceline or 1)
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                return "PW508", "an SVG may not use entities", line
            continue
        name = etree.QName(element).localname
        if name in ("script", "foreignObject"):
            return "PW508", f"an SVG may not carry <{name}>", line
        if name == "style" and _EXTERNAL_CSS.search(element.text or ""):
            return "PW508", "its stylesheet refers to a file outside the image", line
        for attribute, raw in element.attrib.items():
            value, local = str(raw), etree.QName(attribute).localname
            if local.lower().startswith("on"):
                return "PW508", f"an SVG may not carry event handlers ({local})", line
            if attribute in ("href", _XLINK, "src") and not value.strip().startswith(
                ("#", "data:image/")
            ):
                return "PW508", f"it refers to {value!r}, outside the image", line
            if _EXTERNAL_CSS.search(value) and local in ("style", *_PAINTS):
                return "PW508", f"{local} refers to a file outside the image", line
    return None
