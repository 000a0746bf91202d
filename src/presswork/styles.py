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
# Enough of CSS to read the declarations of its rules (css_declarations).
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_RULE = re.compile(r"([^{};]*)\{([^{}]*)\}")


def shipped(name: str) -> tuple[Path, Path]:
    """Where a file or folder at the top of the source tree that presswork reads
    (``styles``, ``constraints.txt``) may be: inside the package, where the wheel puts
    it, then at the top of a source checkout."""
    package = Path(__file__).resolve().parent
    return package / name, package.parent.parent / name


@cache
def styles_dir() -> Path:
    for candidate in shipped("styles"):
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
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{table}.{key}' must be a string, not {value!r}")
        return value

    def file(self, table: str, key: str) -> Path:
        """A file of the styles folder, named by its path there."""
        name = self.string(table, key)
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            raise self.fail(f"'{table}.{key}': no file {name!r} in {self.folder}")
        return path

    def inks(self, table: str, key: str) -> dict[str, CMYK]:
        """A table of colours, each four per cents of cyan, magenta, yellow and black."""
        colours = self.value(table, key)
        if not isinstance(colours, Mapping):
            raise self.fail(f"'{table}.{key}' must be a table of colours")
        inks: dict[str, CMYK] = {}
        for name, value in colours.items():
            if not (
                isinstance(value, list)
                and len(value) == 4
                and all(type(v) in (int, float) and 0 <= v <= 100 for v in value)
            ):
                raise self.fail(
                    f"'{table}.{key}.{name}' must be four per cents of cyan, magenta, yellow "
                    f"and black, such as [0, 0, 0, 100], not {value!r}"
                )
            c, m, y, k = (round(v / 100, 4) for v in value)
            inks[name] = (c, m, y, k)
        return inks

    @property
    def folder(self) -> Path:
        return self.path.parent


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


CMYK = tuple[float, float, float, float]  # each ink from 0 to 1


@dataclass(frozen=True)
class OutputIntent:
    """A colour condition an edition is made for: its name (the output intent's
    ``OutputConditionIdentifier``), what it is, and the ICC profile that characterises it."""

    condition: str
    info: str
    profile: Path


@dataclass(frozen=True)
class Production:
    """The numbers of ``production.toml``."""

    sheet: PrintSheet
    print_intent: OutputIntent  # the printing condition (PDF/X)
    print_colours: tuple[tuple[str, CMYK], ...]  # pdf.css's colours by name, in the inks
    screen_intent: OutputIntent  # the screen edition's colour space
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
        print_intent=OutputIntent(
            read.string("print", "condition"),
            read.string("print", "condition_info"),
            read.file("print", "profile"),
        ),
        print_colours=tuple(read.inks("print", "colours").items()),
        screen_intent=OutputIntent(
            read.string("screen", "condition"),
            read.string("screen", "condition"),
            read.file("screen", "profile"),
        ),
        furniture_pages=read.integer("layout", "furniture_pages", minimum=1),
        apart_from=read.integer("layout", "apart_from", minimum=1),
        hyphens_in_a_row=read.integer("typography", "hyphens_in_a_row", minimum=1),
        tie_characters=read.integer("typography", "tie_characters", minimum=0),
        continued_over=read.integer("notes", "continued_over", minimum=1),
        continued_lead=read.integer("notes", "continued_lead", minimum=1),
    )


RGB = tuple[int, int, int]  # sRGB, each from 0 to 255
_HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True)
class PrintEdition:
    """What the print edition is made with: the sheet around each page, the printing
    condition, and the process colours the designer set for the colours of pdf.css,
    by their sRGB values (as the laid-out pages paint them)."""

    sheet: PrintSheet
    intent: OutputIntent
    inks: tuple[tuple[RGB, CMYK], ...]


def print_edition(styles: Path, made: Production | None = None) -> PrintEdition:
    """The print edition's making, from ``production.toml`` (or ``made`` of it) and the
    colours of ``pdf.css``: every colour of pdf.css's ``:root`` has its inks in
    ``[print.colours]``, and every ink there names such a colour; two names of one colour
    have the same inks."""
    made = made or production(styles)
    screen = screen_colours(styles)
    read = f"{styles / PRODUCTION_FILE}"
    named = dict(made.print_colours)
    inks: dict[RGB, CMYK] = {}
    for name, cmyk in made.print_colours:
        if name not in screen:
            raise ValueError(f"{read}: 'print.colours.{name}' is no colour of pdf.css's :root")
        rgb = screen[name]
        if inks.setdefault(rgb, cmyk) != cmyk:
            raise ValueError(f"{read}: two colours of pdf.css are {_hex(rgb)}, with other inks")
    for name in screen:
        if name not in named:
            raise ValueError(f"{read}: pdf.css's colour --{name} has no inks in [print.colours]")
    return PrintEdition(made.sheet, made.print_intent, tuple(sorted(inks.items())))


def screen_colours(styles: Path) -> dict[str, RGB]:
    """The colours pdf.css names (the custom properties of its ``:root`` whose value is
    a colour ``#rgb`` or ``#rrggbb``), without their leading ``--``."""
    colours: dict[str, RGB] = {}
    for selector, name, value in css_declarations((styles / "pdf.css").read_text("utf-8")):
        found = _HEX_COLOUR.fullmatch(value)
        if selector == ":root" and name.startswith("--") and found:
            digits = found.group(1)
            if len(digits) == 3:
                digits = "".join(d * 2 for d in digits)
            red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
            colours[name[2:]] = (red, green, blue)
    return colours


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{v:02x}" for v in rgb)


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


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)""")


def css_files(css: str, folder: Path) -> list[Path]:
    """The files of ``folder`` that the stylesheet ``css``, kept in ``folder``, refers to
    by relative ``url()`` (fonts, images), each once, in order; a URL with a scheme, an
    absolute path or one leading out of the folder names none."""
    root = folder.resolve()
    found: list[Path] = []
    for match in _CSS_URL.finditer(_CSS_COMMENT.sub("", css)):
        url = match.group(2).strip().split("#", 1)[0].split("?", 1)[0]
        if not url or ":" in url or url.startswith("/"):
            continue
        path = (folder / url).resolve()
        if path.is_relative_to(root) and path.is_file() and path not in found:
            found.append(path)
    return found
