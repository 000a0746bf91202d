"""Tests for presswork.epub.cover: the ePub cover image drawn from styles/cover.toml."""

import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageColor

from presswork.epub.cover import CoverText, render_cover

from conftest import ROOT

STYLES = ROOT / "styles"

# No descenders, so that the lines of the title are separated by rows of background.
LONG_TITLE = "The Human Cost of Mass Demolition and Forced Eviction in the Northern Provinces"


@pytest.fixture(scope="module")
def design() -> dict[str, Any]:
    with (STYLES / "cover.toml").open("rb") as stream:
        return tomllib.load(stream)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _title_ink(data: bytes, design: dict[str, Any]) -> tuple[Image.Image, tuple[int, int]]:
    """The title region as a mask of non-background pixels, and where the region starts.

    The region runs the full width of the canvas, from below the accent rule down to the top
    of the band at the foot.
    """
    image = _open(data)
    canvas = design["canvas"]
    background = Image.new("RGB", image.size, canvas["background"])
    top = design["margins"]["top"] + design["rule"]["thickness"]
    bottom = canvas["height"] - design["band"]["height"]
    box = (0, top, canvas["width"], bottom)
    difference = ImageChops.difference(image.crop(box), background.crop(box))
    return difference.convert("L").point(lambda value: 255 if value else 0), (0, top)


def _line_count(mask: Image.Image) -> int:
    """Number of runs of rows that hold ink."""
    width, height = mask.size
    runs = 0
    previous = False
    for y in range(height):
        inked = mask.crop((0, y, width, y + 1)).getbbox() is not None
        runs += inked and not previous
        previous = inked
    return runs


def _assert_inside_margins(data: bytes, design: dict[str, Any]) -> Image.Image:
    mask, (_, top) = _title_ink(data, design)
    bbox = mask.getbbox()
    assert bbox is not None, "no title drawn"
    left, _, right, lower = bbox
    canvas, margins = design["canvas"], design["margins"]
    assert left >= margins["left"]
    assert right <= canvas["width"] - margins["right"]
    assert top + lower <= canvas["height"] - design["band"]["height"] - margins["bottom"]
    return mask


def test_png_has_the_size_and_mode_of_the_design(design: dict[str, Any]) -> None:
    data = render_cover(CoverText("North Korea 2023", None, "Amnesty International"), STYLES)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = _open(data)
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.size == (design["canvas"]["width"], design["canvas"]["height"])


def test_png_carries_no_metadata() -> None:
    image = _open(render_cover(CoverText("North Korea 2023", None, None), STYLES))
    assert image.info == {}


def test_renders_are_byte_identical() -> None:
    text = CoverText(LONG_TITLE, "A subtitle in italic", "Amnesty International")
    assert render_cover(text, STYLES) == render_cover(text, STYLES)


def test_different_title_gives_different_bytes() -> None:
    first = render_cover(CoverText("North Korea 2023", None, "Amnesty International"), STYLES)
    second = render_cover(CoverText("South Korea 2023", None, "Amnesty International"), STYLES)
    assert first != second


def test_subtitle_and_publisher_are_drawn() -> None:
    bare = render_cover(CoverText("North Korea 2023", None, None), STYLES)
    subtitle = render_cover(CoverText("North Korea 2023", "Annual report", None), STYLES)
    publisher = render_cover(CoverText("North Korea 2023", None, "Amnesty International"), STYLES)
    assert len({bare, subtitle, publisher}) == 3


def test_blank_subtitle_and_publisher_are_left_out() -> None:
    bare = render_cover(CoverText("North Korea 2023", None, None), STYLES)
    assert render_cover(CoverText("North Korea 2023", "", "  "), STYLES) == bare


def test_long_title_wraps_inside_the_margins(design: dict[str, Any]) -> None:
    data = render_cover(CoverText(LONG_TITLE, None, None), STYLES)
    mask = _assert_inside_margins(data, design)
    assert _line_count(mask) > 1


def test_short_title_stays_on_one_line(design: dict[str, Any]) -> None:
    data = render_cover(CoverText("Report", None, None), STYLES)
    assert _line_count(_assert_inside_margins(data, design)) == 1


def test_over_long_word_is_broken_not_overflowing(design: dict[str, Any]) -> None:
    word = "Internationalisation" * 6
    data = render_cover(CoverText(word, None, None), STYLES)
    mask = _assert_inside_margins(data, design)
    assert _line_count(mask) > 1


def test_very_long_title_is_held_to_the_line_limit(design: dict[str, Any]) -> None:
    title = " ".join([LONG_TITLE] * 6)
    data = render_cover(CoverText(title, None, None), STYLES)
    mask = _assert_inside_margins(data, design)
    # Commas and hyphens aside, the lines of LONG_TITLE are separable by blank rows.
    assert 1 < _line_count(mask) <= design["title"]["max_lines"]


def test_long_subtitle_keeps_clear_of_the_band(design: dict[str, Any]) -> None:
    subtitle = " ".join(["A report on the human cost of a decade of demolitions"] * 8)
    data = render_cover(CoverText(" ".join([LONG_TITLE] * 3), subtitle, "Amnesty"), STYLES)
    _assert_inside_margins(data, design)


# --- Errors from a broken design ---------------------------------------------------------


def _dump(document: dict[str, Any]) -> str:
    """TOML for a document of tables of strings and numbers (enough for cover.toml)."""
    out: list[str] = []
    for name, table in document.items():
        out.append(f"[{name}]")
        out.extend(f"{key} = {json.dumps(value)}" for key, value in table.items())
        out.append("")
    return "\n".join(out)


def _styles_with(tmp_path: Path, document: dict[str, Any]) -> Path:
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "fonts").symlink_to(STYLES / "fonts", target_is_directory=True)
    (styles / "cover.toml").write_text(_dump(document), encoding="utf-8")
    return styles


def _copy(design: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(design))
    return copied


def test_copied_design_renders_like_the_original(tmp_path: Path, design: dict[str, Any]) -> None:
    text = CoverText("North Korea 2023", None, "Amnesty International")
    styles = _styles_with(tmp_path, _copy(design))
    assert render_cover(text, styles) == render_cover(text, STYLES)


@pytest.mark.parametrize(
    ("table", "key"), [("canvas", "width"), ("title", "max_lines"), ("publisher", "font")]
)
def test_missing_key_is_a_value_error(
    tmp_path: Path, design: dict[str, Any], table: str, key: str
) -> None:
    document = _copy(design)
    del document[table][key]
    styles = _styles_with(tmp_path, document)
    with pytest.raises(ValueError, match=rf"'{key}'.*\[{table}\]"):
        render_cover(CoverText("Title", None, None), styles)


def test_missing_table_is_a_value_error(tmp_path: Path, design: dict[str, Any]) -> None:
    document = _copy(design)
    del document["band"]
    with pytest.raises(ValueError, match=r"\[band\]"):
        render_cover(CoverText("Title", None, None), _styles_with(tmp_path, document))


def test_missing_font_file_is_a_value_error(tmp_path: Path, design: dict[str, Any]) -> None:
    document = _copy(design)
    document["subtitle"]["font"] = "fonts/nowhere/Missing-Italic.ttf"
    styles = _styles_with(tmp_path, document)
    with pytest.raises(ValueError, match=r"Missing-Italic\.ttf"):
        render_cover(CoverText("Title", None, None), styles)


def test_missing_design_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cover\.toml"):
        render_cover(CoverText("Title", None, None), tmp_path)


def test_wrongly_typed_value_is_a_value_error(tmp_path: Path, design: dict[str, Any]) -> None:
    document = _copy(design)
    document["title"]["size"] = "large"
    with pytest.raises(ValueError, match=r"title\.size"):
        render_cover(CoverText("Title", None, None), _styles_with(tmp_path, document))


def test_design_that_cannot_fit_is_a_value_error(tmp_path: Path, design: dict[str, Any]) -> None:
    document = _copy(design)
    document["title"]["max_lines"] = 40
    with pytest.raises(ValueError, match="band"):
        render_cover(CoverText("Title", None, None), _styles_with(tmp_path, document))


def test_the_byline_is_drawn_in_its_colour_below_the_subtitle() -> None:
    """Who the book is by stands under the subtitle, in the byline's colour, and
    changes nothing above it."""
    design = tomllib.loads((STYLES / "cover.toml").read_text(encoding="utf-8"))
    colour = ImageColor.getrgb(design["byline"]["colour"])
    without = _open(render_cover(CoverText("North Korea 2023", "Annual report", None), STYLES))
    text = CoverText("North Korea 2023", "Annual report", None, "Ada Writer, Ben Author")
    drawn = _open(render_cover(text, STYLES))
    changed = [
        (x, y)
        for y in range(0, drawn.height, 4)
        for x in range(0, drawn.width, 4)
        if drawn.getpixel((x, y)) != without.getpixel((x, y))
    ]
    assert changed, "the byline is drawn"
    top = min(y for _, y in changed)
    subtitle_rows = [
        y
        for y in range(0, without.height, 4)
        if any(without.getpixel((x, y)) != without.getpixel((0, y)) for x in range(0, 1200, 8))
    ]
    band_top = design["canvas"]["height"] - design["band"]["height"]
    last_text_row = max(y for y in subtitle_rows if y < band_top)
    assert top > last_text_row
    assert any(drawn.getpixel(point) == colour for point in changed)
