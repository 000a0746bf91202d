"""Lay HTML out with WeasyPrint, and write what it laid out as a PDF.

In: an HTML document (:mod:`presswork.render.html`), the manuscript folder (its base
URL) and the styles folder. Out: a :class:`~presswork.layout.pages.Layout` (WeasyPrint's
pages and what it warned about), laid out again where needed so that every note sits on
the page of its call and no word is broken at a page's end (:func:`layout_refined`), and
its tagged PDF/UA-1 bytes (:func:`write_pdf`). WeasyPrint may read only files inside the
manuscript and styles folders (:mod:`presswork.layout.fetch`). A process that lays out
many documents parses the styles once (:func:`parse_styles`, also its warm-up).
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presswork.layout.hyphenation import hyphens_in_a_row
from presswork.layout.pages import Layout, hyphenated_lines
from presswork.layout.workers import settle
from presswork.pdf.continued import ELEMENT_KEY
from presswork.render.html import WIDOWS_CLASS, Refinements
from presswork.styles import css_declarations, production

# WeasyPrint (and Pango with it) loads only where pages are laid out: an ePub built from
# the cache, or the print edition, need neither.
if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from presswork.layout.fetch import LocalFetcher

DEFAULT_WIDOWS = 2  # the widows of pdf.css's paragraphs
MAX_ROUNDS = 6  # how many times a document is laid out again to refine it, at most


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    saved = logger.propagate
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


@dataclass(frozen=True)
class _Styles:
    fetcher: LocalFetcher
    fonts: FontConfiguration
    stylesheet: CSS
    warnings: tuple[str, ...]


# The parsed stylesheet and its fonts, kept by a process that lays out many units, and
# let go before the interpreter tears WeasyPrint down (its fonts clean up after them).
_parsed: dict[tuple[Path, Path, str], _Styles] = {}
atexit.register(_parsed.clear)


def _load_weasyprint() -> None:
    """Load WeasyPrint in this process (its first layout, or parse of the styles, does).

    WeasyPrint asks for each C library it uses under several names, Windows' and
    macOS' before Linux's sonames. For every name without a dot, cffi asks
    ``ctypes.util.find_library``, which on Linux runs ldconfig, the C compiler and the
    linker in turn: a third of a second of each layout process's start. While WeasyPrint
    loads, no name is looked up that way, so WeasyPrint goes on to the sonames, which
    the system's loader finds itself; only if that fails is it loaded the usual way."""
    if "weasyprint.text.ffi" in sys.modules:
        return
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:  # (WeasyPrint prints its installation advice before it gives up)
        with redirect_stdout(io.StringIO()):
            import weasyprint.text.ffi
    except OSError:
        pass  # loaded below, with find_library
    finally:
        ctypes.util.find_library = find_library
    import weasyprint  # noqa: F401


def _styles(manuscript: Path, styles: Path, version: str | None) -> _Styles:
    """The styles parsed, or taken from an earlier parse of the same ``version`` of them
    (a digest of the styles folder's files; ``None``: parse anew)."""
    _load_weasyprint()
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from presswork.layout.fetch import LocalFetcher

    key = (manuscript, styles, version or "")
    if version is not None and key in _parsed:
        return _parsed[key]
    fetcher = LocalFetcher(manuscript, styles)
    fonts = FontConfiguration()
    with _weasyprint_warnings() as messages:
        stylesheet = CSS(filename=str(styles / "pdf.css"), url_fetcher=fetcher, font_config=fonts)
    parsed = _Styles(fetcher, fonts, stylesheet, tuple(messages))
    if version is not None:
        _parsed.clear()
        _parsed[key] = parsed
        settle()  # WeasyPrint and the styles stay for the process's layouts
    return parsed


def parse_styles(manuscript: Path, styles: Path, version: str) -> None:
    """Parse the styles of ``version`` for later layouts of this process."""
    _styles(manuscript, styles, version)


def layout_of(html: str, manuscript: Path, styles: Path, version: str | None = None) -> Layout:
    """The pages of one HTML document."""
    parsed = _styles(manuscript, styles, version)
    from weasyprint import HTML

    limit = production(styles).hyphens_in_a_row
    with _weasyprint_warnings() as messages, hyphens_in_a_row(limit):
        document = HTML(
            string=html, base_url=str(manuscript) + "/", url_fetcher=parsed.fetcher
        ).render(stylesheets=[parsed.stylesheet], font_config=parsed.fonts)
    return Layout(document, parsed.warnings + tuple(messages))


def layout_refined(
    render: Callable[[Refinements], str],
    manuscript: Path,
    styles: Path,
    version: str | None = None,
) -> Layout:
    """Lay out the HTML that ``render`` writes for given :class:`Refinements`, laid out
    again until every note sits on the page of its call and no word is hyphenated where
    a reader should not meet a broken word: at the foot of a page (the reader turns the
    page mid-word), or as the third hyphenated line running. WeasyPrint breaks lines one
    at a time and knows neither rule, nor where pages end before it has laid them out.

    - A note moved to the next page to make room for the last lines of a paragraph that
      its widows and orphans keep together: the paragraph ending the call's page gets a
      higher ``widows`` (a line more goes over, and the note stays with its call), up to
      the highest ``.widows-N`` of pdf.css. (A note that does not fit under its call's
      line is handled by WeasyPrint itself: pdf.css's ``footnote-policy: line`` moves
      that line to the next page with it.)
    - A word broken at a page's end, or in a hyphenated line running after as many as
      ``styles/production.toml`` allows (``hyphens_in_a_row``): it is kept whole; the
      line ends before it.

    Each round lays the document out again; after :data:`MAX_ROUNDS` the last layout
    stands (a change that moves the problem on is rare, and bounded).
    """
    most = max_widows((styles / "pdf.css").read_text(encoding="utf-8"))
    in_a_row = production(styles).hyphens_in_a_row
    widows: dict[str, int] = {}
    whole: dict[str, frozenset[int]] = {}
    layout = layout_of(render(Refinements()), manuscript, styles, version)
    for _ in range(MAX_ROUNDS):
        changed = False
        for _, call_page, _ in layout.displaced_notes():
            culprit = layout.last_paragraph_on(call_page)
            raised = widows.get(culprit, DEFAULT_WIDOWS) + 1 if culprit is not None else 0
            if culprit is not None and raised <= most:
                widows[culprit] = raised
                changed = True
        for line in hyphenated_lines(layout.document):
            if line.last_on_page or line.in_a_row > in_a_row:
                kept = whole.get(line.anchor, frozenset())
                if line.word not in kept:
                    whole[line.anchor] = kept | {line.word}
                    changed = True
        if not changed:
            break
        refined = Refinements(dict(widows), dict(whole))
        layout = layout_of(render(refined), manuscript, styles, version)
    return layout


@contextmanager
def _source_date(date: datetime) -> Iterator[None]:
    """Where HarfBuzz's subsetter is missing, WeasyPrint subsets fonts with fontTools,
    which stamps each subset with the current time unless SOURCE_DATE_EPOCH is set."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(date.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


# A header cell's HTML scope, as the PDF's structure says it.
_SCOPES = {"col": "/Column", "row": "/Row", "colgroup": "/Column", "rowgroup": "/Row"}


@contextmanager
def _element_keys() -> Iterator[None]:
    """While WeasyPrint writes a tagged PDF, mark each structure element it makes with
    the number of the HTML element (or pseudo-element) it stands for
    (:data:`presswork.pdf.continued.ELEMENT_KEY`). WeasyPrint tags page by page, so a
    paragraph (or section, list…) that runs over a page turn is an element on each page;
    the marks tell :func:`presswork.pdf.tags.tagged` which elements to join. A table's
    header cell is given the scope its HTML says (WeasyPrint writes none)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    numbers: dict[tuple[int, str], int] = {}

    def build(box: Any, *args: Any) -> Iterator[Any]:
        source = box._box if isinstance(box, AbsolutePlaceholder) else box
        for element in original(box, *args):
            # A box that stands for no element of its own (the page, html, body)
            # hands on its children's, already marked.
            if ELEMENT_KEY not in element and source.element is not None:
                key = (id(source.element), str(source.element_tag))
                element[ELEMENT_KEY] = numbers.setdefault(key, len(numbers))
                scope = _SCOPES.get(str(source.element.get("scope", "")))
                if element.get("S") == "/TH" and scope is not None and "A" in element:
                    element["A"]["Scope"] = scope  # PDF/UA: what a header cell heads
            yield element

    tags._build_box_tree = build
    try:
        yield
    finally:
        tags._build_box_tree = original


def write_pdf(layout: Layout, identifier: str, date: datetime) -> tuple[bytes, list[str]]:
    """The tagged PDF/UA-1 file, and what WeasyPrint warned about while writing it. Its
    streams are not compressed: WeasyPrint compresses at zlib's slowest level, a fifth of
    the time it takes to write a chapter; :func:`presswork.pdf.tags.tagged`, which reads
    and saves the file anyway, compresses them at the default level."""
    with _weasyprint_warnings() as messages, _source_date(date), _element_keys():
        data: bytes = layout.document.write_pdf(
            pdf_variant="pdf/ua-1",
            pdf_identifier=identifier.encode("utf-8"),
            uncompressed_pdf=True,
        )
    return data, list(dict.fromkeys(messages))


def max_widows(css: str) -> int:
    """The highest widows a paragraph may be raised to: the largest N of the
    ``.widows-N`` classes that the stylesheet ``css`` defines (each setting ``widows:
    N``), so that the stylesheet is the one place they are set."""
    found = [DEFAULT_WIDOWS]
    for selector, name, value in css_declarations(css):
        number = selector.removeprefix("." + WIDOWS_CLASS)
        if number != selector and number.isdigit() and name == "widows" and value == number:
            found.append(int(number))
    return max(found)
