"""Draw the ePub cover from the book's metadata and the cover design in ``styles/``.

In: the cover's text (title, subtitle, byline, publisher) and the styles folder, whose
``cover.toml`` gives the design. Out: the cover as PNG bytes, the same for the same text
and design; kept in the build's cache (kind ``cover``) under a digest of both
(:func:`cached_cover`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from math import inf
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont, features

from presswork.cache import Store, digest
from presswork.styles import StyleFile

DESIGN_FILE = "cover.toml"
COVER = "cover"  # the cache's kind
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"
HYPHEN = "-"
# Whitespace a line may break at: all of it except the no-break spaces.
BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CoverText:
    title: str
    subtitle: str | None
    publisher: str | None
    byline: str | None = None  # who the book is by: "A and B", "Edited by C"


def cached_cover(text: CoverText, styles: Path, store: Store, environment: str) -> bytes:
    """The cover for ``text``, from ``store`` where it is kept for this text and these
    styles (``environment``: their digest, :func:`presswork.cache.environment_key`),
    else drawn and kept there."""
    key = digest(environment, repr(text), "cover")
    kept = store.read(COVER, key)
    if kept is not None:
        return kept
    drawn = render_cover(text, styles)
    store.write(COVER, key, drawn)
    store.keep_only(COVER, [key])
    return drawn


def render_cover(text: CoverText, styles_dir: Path) -> bytes:
    """Return the cover for ``text`` as PNG bytes, drawn to the design in ``styles_dir``.

    The design is read from ``styles_dir / "cover.toml"``. Raises ``ValueError`` if that file
    is missing, malformed or lacks a key, or if a font file it names does not exist.
    The result is deterministic: the same text and design always give the same bytes.
    """
    design = _load_design(Path(styles_dir))
    image = Image.new("RGB", (design.width, design.height), design.background)
    draw = ImageDraw.Draw(image)
    left = design.margin_left
    measure = design.width - design.margin_left - design.margin_right

    top = design.margin_top
    draw.rectangle(
        (left, top, left + design.rule_width - 1, top + design.rule_thickness - 1),
        fill=design.rule_colour,
    )

    # Title: its first cap height sits a fixed distance below the accent rule.
    cap_top = top + design.rule_thickness + design.title_space_before
    title = _fit(text.title, design.title, measure)
    last_baseline = _draw_block(draw, title, left, cap_top)

    if text.subtitle is not None and text.subtitle.strip():
        subtitle = _fit(text.subtitle, design.subtitle, measure)
        last_baseline = _draw_block(
            draw, subtitle, left, last_baseline + design.subtitle_space_before
        )

    if text.byline is not None and text.byline.strip():
        byline = _fit(text.byline, design.byline, measure)
        _draw_block(draw, byline, left, last_baseline + design.byline_space_before)

    band_top = design.height - design.band_height
    draw.rectangle((0, band_top, design.width - 1, design.height - 1), fill=design.band_colour)
    if text.publisher is not None and text.publisher.strip():
        publisher = _fit(text.publisher, design.publisher, measure)
        block_height = publisher.cap_height + (len(publisher.lines) - 1) * publisher.line_height
        _draw_block(draw, publisher, left, band_top + (design.band_height - block_height) / 2)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


# --- Design ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextStyle:
    font: Path
    colour: RGB
    size: int
    min_size: int
    size_step: int
    line_spacing: float
    max_lines: int


@dataclass(frozen=True)
class _Design:
    width: int
    height: int
    background: RGB
    margin_left: int
    margin_right: int
    margin_top: int
    margin_bottom: int
    rule_colour: RGB
    rule_width: int
    rule_thickness: int
    band_colour: RGB
    band_height: int
    title: _TextStyle
    title_space_before: int
    subtitle: _TextStyle
    subtitle_space_before: int
    byline: _TextStyle
    byline_space_before: int
    publisher: _TextStyle


class _Reader(StyleFile):
    """Typed access to ``cover.toml``, with errors naming the file and key."""

    def colour(self, table: str, key: str) -> RGB:
        value = self.string(table, key)
        try:
            rgb = ImageColor.getrgb(value)
        except ValueError:
            raise self.fail(f"'{table}.{key}' is not a colour: {value!r}") from None
        return (rgb[0], rgb[1], rgb[2])

    def font(self, table: str, key: str, styles_dir: Path) -> Path:
        path = styles_dir / self.string(table, key)
        if not path.is_file():
            raise self.fail(f"font file for '{table}.{key}' not found: {path}")
        return path

    def text_style(self, table: str, styles_dir: Path) -> _TextStyle:
        style = _TextStyle(
            font=self.font(table, "font", styles_dir),
            colour=self.colour(table, "colour"),
            size=self.integer(table, "size", minimum=1),
            min_size=self.integer(table, "min_size", minimum=1),
            size_step=self.integer(table, "size_step", minimum=1),
            line_spacing=self.number(table, "line_spacing"),
            max_lines=self.integer(table, "max_lines", minimum=1),
        )
        if style.min_size > style.size:
            raise self.fail(f"'{table}.min_size' is larger than '{table}.size'")
        return style


def _load_design(styles_dir: Path) -> _Design:
    path = styles_dir / DESIGN_FILE
    read = _Reader(path)
    design = _Design(
        width=read.integer("canvas", "width", minimum=1),
        height=read.integer("canvas", "height", minimum=1),
        background=read.colour("canvas", "background"),
        margin_left=read.integer("margins", "left"),
        margin_right=read.integer("margins", "right"),
        margin_top=read.integer("margins", "top"),
        margin_bottom=read.integer("margins", "bottom"),
        rule_colour=read.colour("rule", "colour"),
        rule_width=read.integer("rule", "width"),
        rule_thickness=read.integer("rule", "thickness"),
        band_colour=read.colour("band", "colour"),
        band_height=read.integer("band", "height"),
        title=read.text_style("title", styles_dir),
        title_space_before=read.integer("title", "space_before"),
        subtitle=read.text_style("subtitle", styles_dir),
        subtitle_space_before=read.integer("subtitle", "space_before"),
        byline=read.text_style("byline", styles_dir),
        byline_space_before=read.integer("byline", "space_before"),
        publisher=read.text_style("publisher", styles_dir),
    )
    _check_fits(design, path)
    return design


def _check_fits(design: _Design, path: Path) -> None:
    """Reject a design whose text blocks, at their largest, would run into the band."""
    measure = design.width - design.margin_left - design.margin_right
    if measure <= 0:
        raise ValueError(f"{path}: the left and right margins leave no room for text")
    worst = (
        design.margin_top
        + design.rule_thickness
        + design.title_space_before
        + design.title.max_lines * design.title.size * design.title.line_spacing
        + design.subtitle_space_before
        + design.subtitle.max_lines * design.subtitle.size * design.subtitle.line_spacing
        + design.byline_space_before
        + design.byline.max_lines * design.byline.size * design.byline.line_spacing
    )
    room = design.height - design.band_height - design.margin_bottom
    if worst > room:
        raise ValueError(
            f"{path}: title, subtitle and byline at their largest need {worst:.0f} px from "
            "the top, "
            f"but only {room} px are free above the band"
        )


# --- Text setting --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """Lines of text set in one font, ready to draw."""

    font: ImageFont.FreeTypeFont
    colour: RGB
    lines: tuple[str, ...]
    line_height: float
    cap_height: float


def _load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # Raqm applies the fonts' GPOS kerning, which matters at display sizes; fall back to the
    # basic engine only where Pillow was built without it.
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size, layout_engine=engine)


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """Width ``text`` takes on the line: its advance, or its ink if that reaches further."""
    left, _, right, _ = font.getbbox(text, anchor="ls")
    return max(font.getlength(text), right - left)


def _fit(text: str, style: _TextStyle, measure: int) -> _Block:
    """Set ``text`` at the largest size that fits ``style.max_lines`` without breaking words."""
    size = style.size
    while True:
        font = _load_font(style.font, size)
        lines, broke_word = _wrap(text, font, measure)
        if (len(lines) <= style.max_lines and not broke_word) or size == style.min_size:
            break
        size = max(size - style.size_step, style.min_size)
    if len(lines) > style.max_lines:
        lines = _truncate(lines[: style.max_lines], font, measure)
    elif not broke_word:
        lines = _balance(lines, font, measure)
    cap_top = font.getbbox("H", anchor="ls")[1]
    return _Block(
        font=font,
        colour=style.colour,
        lines=tuple(lines),
        line_height=size * style.line_spacing,
        cap_height=-cap_top,
    )


def _wrap(text: str, font: ImageFont.FreeTypeFont, measure: int) -> tuple[list[str], bool]:
    """Greedy word wrap to ``measure``; also says whether a word had to be broken to fit."""
    lines: list[str] = []
    current = ""
    broke_word = False
    for word in _words(text):
        candidate = f"{current} {word}" if current else word
        if _width(font, candidate) <= measure:
            current = candidate
            continue
        if current:
            lines.append(current)
        if _width(font, word) <= measure:
            current = word
            continue
        broke_word = True
        pieces = _break_word(word, font, measure)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines, broke_word


def _words(text: str) -> list[str]:
    """Split ``text`` at breakable whitespace; no-break spaces hold their words together."""
    return [word for word in BREAKABLE_SPACE.split(text) if word]


def _balance(lines: list[str], font: ImageFont.FreeTypeFont, measure: int) -> list[str]:
    """Re-break greedily wrapped ``lines`` into as many lines, without a short one inside.

    Greedy wrapping can strand a short line in the middle of a display title ("Killing in the /
    Name of / Justice"). Among the breaks into the same number of lines this picks the one with
    the least sum of squared slack over all lines but the last, which may stay short ("North
    Korea / 2023" is kept, not turned into "North / Korea 2023").
    """
    words = " ".join(lines).split(" ")
    count = len(lines)
    if count < 2:
        return lines

    @cache
    def slack(start: int, end: int) -> float:
        return measure - _width(font, " ".join(words[start:end]))

    @cache
    def best(start: int, remaining: int) -> tuple[float, tuple[int, ...]]:
        """Least cost of setting ``words[start:]`` in ``remaining`` lines, and the breaks."""
        if remaining == 1:
            room = slack(start, len(words))
            return (0.0, ()) if room >= 0 else (inf, ())
        result: tuple[float, tuple[int, ...]] = (inf, ())
        for end in range(start + 1, len(words) - remaining + 2):
            room = slack(start, end)
            if room < 0:
                break
            rest, breaks = best(end, remaining - 1)
            if room * room + rest < result[0]:
                result = (room * room + rest, (end, *breaks))
        return result

    cost, breaks = best(0, count)
    if cost == inf:
        return lines
    bounds = (0, *breaks, len(words))
    return [" ".join(words[a:b]) for a, b in pairwise(bounds)]


def _break_word(word: str, font: ImageFont.FreeTypeFont, measure: int) -> list[str]:
    """Cut a word too long for one line into pieces that each fit (at least one character).

    A break between two letters of a cased script gets a hyphen; other breaks (digits, URLs,
    scripts without case) get none.
    """
    pieces: list[str] = []
    piece = ""
    for index, char in enumerate(word):
        following = word[index + 1] if index + 1 < len(word) else ""
        # Reserve room for the hyphen that a break after this character would need.
        end = char + HYPHEN if _hyphenates(char, following) else char
        if piece and _width(font, piece + end) > measure:
            pieces.append(piece + HYPHEN if _hyphenates(piece[-1], char) else piece)
            piece = ""
        piece += char
    pieces.append(piece)
    return pieces


def _hyphenates(before: str, after: str) -> bool:
    """Whether a break between ``before`` and ``after`` is marked with a hyphen."""
    return all(c.isalpha() and c.lower() != c.upper() for c in (before, after))


def _truncate(lines: list[str], font: ImageFont.FreeTypeFont, measure: int) -> list[str]:
    """End the last of ``lines`` with an ellipsis, shortening it until that fits."""
    last = lines[-1]
    while last and _width(font, last + ELLIPSIS) > measure:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    return [*lines[:-1], last.rstrip(" ,;:.-\N{EN DASH}\N{EM DASH}") + ELLIPSIS]


def _draw_block(draw: ImageDraw.ImageDraw, block: _Block, left: int, cap_top: float) -> int:
    """Draw ``block`` with its first cap height at ``cap_top``; return the last baseline.

    Each line is shifted by its own side bearing so that the ink, not the glyph box, is flush
    with ``left``: at display sizes the difference is visible.
    """
    baseline = round(cap_top + block.cap_height)
    for index, line in enumerate(block.lines):
        baseline = round(cap_top + block.cap_height + index * block.line_height)
        draw.text(
            (left - _ink_left(block.font, line), baseline),
            line,
            font=block.font,
            fill=block.colour,
            anchor="ls",
        )
    return baseline


def _ink_left(font: ImageFont.FreeTypeFont, text: str) -> int:
    """Distance from the pen position to the first inked pixel column of ``text``.

    ``getbbox`` reports the glyph boxes, side bearings included, so the line is rasterised to
    find where its ink really starts.
    """
    left, top, right, bottom = (round(value) for value in font.getbbox(text, anchor="ls"))
    pad = round(font.size)
    origin = pad - left
    mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad))
    ImageDraw.Draw(mask).text((origin, pad - top), text, font=font, fill=255, anchor="ls")
    ink = mask.getbbox()
    return 0 if ink is None else ink[0] - origin
