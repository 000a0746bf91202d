"""Where the look and feel lives: the ``styles/`` folder, and the numbers kept in it.

In: nothing (the folder is found beside the package). Out: the folder's path, the font
files it ships, a typed reader of its TOML files (errors name the file and key), and
:class:`Production`, the numbers of ``production.toml``: the print edition's sheet around
the trimmed page, how the layout of a long book is shared out, and the typography CSS
cannot say to WeasyPrint. An installed presswork
carries the folder inside the package (``presswork/styles``); a source checkout uses the
top-level ``styles/``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_SUFFIXES = (".ttf", ".otf")
PRODUCTION_FILE = "production.toml"
# WeasyPrint's hyphenate-limit-chars where pdf.css's html rule sets none: words shorter
# than this are never hyphenated.
DEFAULT_HYPHENATED_WORD = 5
# Enough of CSS to read the declarations of its rules (css_declarations).
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_RULE = re.compile(r"([^{};]*)\{([^{}]*)\}")


@cache
def styles_dir() -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / "styles", package.parent.parent / "styles"):
        if (candidate / "pdf.css").is_file():
            return candidate
    raise FileNotFoundError("presswork's styles folder is missing from this installation")


def font_files(styles: Path) -> list[Path]:
    """The font files shipped in the styles folder, in a fixed order."""
    return [f for f in sorted((styles / "fonts").rglob("*")) if f.suffix.lower() in FONT_SUFFIXES]


class StyleFile:
    """Typed access to a TOML file of the styles folder; a missing or wrong value raises
    ``ValueError`` naming the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as stream:
                self.document: Mapping[str, object] = tomllib.load(stream)
        except FileNotFoundError:
            raise ValueError(f"not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from None

    def fail(self, message: str) -> ValueError:
        return ValueError(f"{self.path}: {message}")

    def value(self, table: str, key: str) -> object:
        section = self.document.get(table)
        if not isinstance(section, Mapping):
            raise self.fail(f"missing table [{table}]")
        if key not in section:
            raise self.fail(f"missing key '{key}' in table [{table}]")
        value: object = section[key]
        return value

    def integer(self, table: str, key: str, minimum: int = 0) -> int:
        value = self.value(table, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"'{table}.{key}' must be an integer, not {value!r}")
        if value < minimum:
            raise self.fail(f"'{table}.{key}' must be at least {minimum}, not {value}")
        return value

    def number(self, table: str, key: str) -> float:
        value = self.value(table, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"'{table}.{key}' must be a positive number, not {value!r}")
        return float(value)

    def string(self, table: str, key: str) -> str:
        value = self.value(table, key)
        if not isinstance(value, str):
            raise self.fail(f"'{table}.{key}' must be a string, not {value!r}")
        return value


@dataclass(frozen=True)
class PrintSheet:
    """The print edition's sheet around each trimmed page, in millimetres (the marks'
    stroke in points)."""

    bleed_mm: float
    mark_offset_mm: float
    mark_length_mm: float
    mark_width_pt: float
    mark_margin_mm: float

    @property
    def slug_mm(self) -> float:
        """From the trim to the sheet's edge: the marks and the paper beyond them."""
        return self.mark_offset_mm + self.mark_length_mm + self.mark_margin_mm


@dataclass(frozen=True)
class Production:
    """The numbers of ``production.toml``."""

    sheet: PrintSheet
    furniture_pages: int  # running heads and folios are laid out in runs of about this many
    apart_from: int  # from this many chapters, the front matter and the join get a process
    hyphens_in_a_row: int  # the most hyphenated lines that may end one after another
    tie_characters: int  # a paragraph's last two words are kept on one line up to this long
    continued_over: int  # a note longer than this many characters is continued at chapter end
    continued_lead: int  # of which at most this many stay at the foot of its page


def production(styles: Path) -> Production:
    """The numbers of ``styles``' production.toml, read again only once it has changed
    (the PDF's HTML asks for them once per chapter)."""
    return _read_production(styles, _version(styles / PRODUCTION_FILE))


def _version(path: Path) -> tuple[int, int, int] | None:
    """What tells one state of a file from the next, for the caches of what is read from
    it; ``None`` for a file that cannot be found (reading it says why)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


@cache
def _read_production(styles: Path, version: tuple[int, int, int] | None) -> Production:
    read = StyleFile(styles / PRODUCTION_FILE)
    sheet = PrintSheet(
        bleed_mm=read.number("print", "bleed_mm"),
        mark_offset_mm=read.number("print", "mark_offset_mm"),
        mark_length_mm=read.number("print", "mark_length_mm"),
        mark_width_pt=read.number("print", "mark_width_pt"),
        mark_margin_mm=read.number("print", "mark_margin_mm"),
    )
    if sheet.mark_offset_mm < sheet.bleed_mm:
        raise read.fail("'print.mark_offset_mm' is less than the bleed: marks would print")
    if read.integer("notes", "continued_lead", minimum=1) >= read.integer(
        "notes", "continued_over", minimum=1
    ):
        raise read.fail("'notes.continued_lead' is not less than 'notes.continued_over'")
    return Production(
        sheet=sheet,
        furniture_pages=read.integer("layout", "furniture_pages", minimum=1),
        apart_from=read.integer("layout", "apart_from", minimum=1),
        hyphens_in_a_row=read.integer("typography", "hyphens_in_a_row", minimum=1),
        tie_characters=read.integer("typography", "tie_characters", minimum=0),
        continued_over=read.integer("notes", "continued_over", minimum=1),
        continued_lead=read.integer("notes", "continued_lead", minimum=1),
    )


def shortest_hyphenated_word(styles: Path) -> int:
    """The fewest characters of a word the PDF hyphenates: the first number of the
    ``hyphenate-limit-chars`` that ``pdf.css`` sets on ``html`` (the stylesheet is the one
    place it is set), read again only once the stylesheet has changed."""
    return _shortest_hyphenated_word(styles, _version(styles / "pdf.css"))


@cache
def _shortest_hyphenated_word(styles: Path, version: tuple[int, int, int] | None) -> int:
    found = DEFAULT_HYPHENATED_WORD
    for selector, name, value in css_declarations((styles / "pdf.css").read_text("utf-8")):
        if selector == "html" and name == "hyphenate-limit-chars" and value[:1].isdigit():
            found = int(value.split()[0])
    return found


def css_declarations(css: str) -> Iterator[tuple[str, str, str]]:
    """Each declaration of the rules of ``css``, as (selector, property, value), where a
    rule that holds rules (``@page``) gives those it holds: enough of CSS for the few
    numbers presswork reads from its stylesheets, without a CSS parser in a process that
    lays nothing out."""
    for rule in _CSS_RULE.finditer(_CSS_COMMENT.sub("", css)):
        selector = rule.group(1).strip()
        for declaration in rule.group(2).split(";"):
            name, colon, value = declaration.partition(":")
            if colon:
                yield selector, name.strip().lower(), value.strip()
