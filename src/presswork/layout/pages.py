"""What a laid-out WeasyPrint document says about its pages.

In: WeasyPrint's laid-out document (:mod:`presswork.layout.engine`). Out: a
:class:`Layout` that reads off its pages what the rest of the build needs: where each
page begins (:func:`page_starts`: the element and word), the page of every element, the
notes set on another page than their call, where each page's text area sits, and where
the contents' dot leaders go; and the contents' page numbers set into a layout made with
placeholders (:func:`set_page_numbers`).

Page starts are counted by the word: when a page begins inside a paragraph, it begins at
the word that is broken by the turn of the page or, when no word is broken, at the first
word of the page. Words are runs of characters between spaces in the paragraph's text,
leaving out note calls, as :mod:`presswork.transforms.page_breaks` counts them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from presswork import ids
from presswork.lengths import PX
from presswork.model import PageStart
from presswork.pdf.leaders import Leader


@dataclass(frozen=True)
class Layout:
    """A laid-out book: WeasyPrint's document and what it warned about."""

    document: Any
    warnings: tuple[str, ...]

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def page_starts(self) -> tuple[PageStart, ...]:
        return page_starts(self.document)

    def text_x(self) -> tuple[float, ...]:
        """The left edge of each page's text area, in points."""
        return tuple(round(page._page_box.content_box_x() * PX, 4) for page in self.document.pages)

    def anchor_pages(self) -> dict[str, int]:
        """Each element id in the book and the index of the page it starts on (an element
        that runs over several pages is an anchor on each of them)."""
        pages: dict[str, int] = {}
        for index, page in enumerate(self.document.pages):
            for anchor in page.anchors:
                pages.setdefault(anchor, index)
        return pages

    def displaced_notes(self) -> list[tuple[str, int, int]]:
        """Notes set on another page than their first call: (note id, call page, note page)
        with pages counted from 0."""
        pages = self.anchor_pages()
        displaced = []
        for anchor, page in pages.items():
            first_call = ids.pdf_first_call(anchor)
            if first_call is None:
                continue
            call = pages.get(first_call)
            if call is not None and call != page:
                displaced.append((anchor, call, page))
        return sorted(displaced, key=lambda d: d[1])

    def cut_notes(self) -> tuple[tuple[str, int], ...]:
        """Notes whose page's notes area grew above the top of the text area (WeasyPrint
        sets a note too long for a page there, out of sight): (note id, page from 0)."""
        cut = []
        for index, page in enumerate(self.document.pages):
            top = page._page_box.content_box_y()
            for area in _footnote_areas(page._page_box):
                if area.position_y < top - 0.01:
                    cut += [(_element_id(note), index) for note in area.children]
        return tuple(cut)

    def last_paragraph_on(self, page_index: int) -> str | None:
        anchors = self.document.pages[page_index].anchors
        paragraphs = [(xy[1], a) for a, xy in anchors.items() if ids.is_pdf_block(a)]
        return max(paragraphs)[1] if paragraphs else None

    def leaders(self) -> tuple[Leader, ...]:
        """Where the dot leaders go: along the last line of every link box (the contents'
        entries link to what they list) that sets the leader's custom properties. Only
        the links are looked at: reading a property of every box of a chapter would cost
        a tenth of its layout."""
        found: list[Leader] = []
        for index, page in enumerate(self.document.pages):
            for _, _, _, box in page.links:
                dot = _length(box.style, "--leader-dot")
                spacing = _length(box.style, "--leader-spacing")
                gap = _length(box.style, "--leader-gap") or 0.0
                leader = _leader(index, box, dot, spacing, gap) if dot and spacing else None
                if leader is not None:
                    found.append(leader)
        return tuple(found)


def set_page_numbers(
    layout: Layout, placeholders: dict[str, str], folios: dict[str, str]
) -> list[str]:
    """Put the page numbers of the contents into a layout made with placeholders: the
    text that an element's ``data-page`` attribute generated (a contents entry's number,
    its target in ``data-href``), where it reads its target's placeholder, becomes its
    target's folio, shaped anew and moved to keep its right edge where it was. The
    numbers stand in a column of their own and are set in tabular figures, so that no
    other box moves: the pages are what a layout with the real numbers would have made.
    Returns the targets of the numbers that could not be set."""
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.text.line_break import split_first_line

    context = _HyphenationContext()
    missed = []
    for page in layout.document.pages:
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if not isinstance(box, TextBox) or element is None:
                continue
            target, shown = element.get("data-href"), element.get("data-page")
            if target is None or shown is None:
                continue
            anchor = target.removeprefix(ids.XREF_SCHEME).removeprefix("#")
            folio = folios.get(anchor)
            if folio is None or not box.text == shown == placeholders.get(anchor):
                missed.append(anchor)
                continue
            shaped, _, _, width, _, _ = split_first_line(
                folio, box.style, context, None, box.justification_spacing
            )
            box.position_x += box.width - width
            box.width = width
            box.pango_layout = shaped
            box.text = shaped.text
    return missed


class _HyphenationContext:
    """What WeasyPrint's line breaking asks of its layout context: the hyphenation
    dictionaries, which a number on one unbounded line never needs."""

    dictionaries: dict[Any, Any]

    def __init__(self) -> None:
        self.dictionaries = {}


def _length(style: Any, name: str) -> float | None:
    """A custom property's length in CSS pixels (pt, px, mm or em), or None."""
    try:
        tokens = style[name.replace("-", "_")]
    except KeyError:
        return None
    if not tokens or len(tokens) != 1 or getattr(tokens[0], "type", None) != "dimension":
        return None
    token = tokens[0]
    per_unit = {"px": 1.0, "pt": 1 / PX, "mm": 96 / 25.4, "em": float(style["font_size"])}
    factor = per_unit.get(token.unit.lower())
    return None if factor is None else float(token.value) * factor


def _leader(page: int, box: Any, dot: float, spacing: float, gap: float) -> Leader | None:
    """The leader of a block ``box``: from ``gap`` after the end of its last line's in-flow
    content (margins and padding included) to the end of its content box."""
    from weasyprint.formatting_structure.boxes import LineBox

    lines = [c for c in getattr(box, "children", ()) if isinstance(c, LineBox)]
    if not lines:
        return None
    line = lines[-1]
    content = [c for c in line.children if not c.is_absolutely_positioned()]
    end_of_text = max((c.position_x + c.margin_width() for c in content), default=None)
    if end_of_text is None:
        return None
    start = end_of_text + gap
    end = box.content_box_x() + box.width
    rgb = box.style["color"].to("srgb").coordinates
    baseline = line.position_y + line.baseline
    return Leader(
        page,
        start * PX,
        end * PX,
        (baseline - dot / 2) * PX,
        dot * PX,
        spacing * PX,
        (float(rgb[0]), float(rgb[1]), float(rgb[2])),
    )


# What a line that ends in a word broken by the layout ends with: pdf.css's
# hyphenate-character (U+002D); WeasyPrint's own default, U+2010, is read as one too.
LINE_END_HYPHENS = ("-", "\u2010")


def _footnote_areas(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    for child in getattr(box, "children", ()):
        if isinstance(child, FootnoteAreaBox):
            yield child
        else:
            yield from _footnote_areas(child)


def _element_id(box: Any) -> str:
    element = box.element
    return "" if element is None else str(element.get("id") or "")


def _excluded(box: Any) -> bool:
    """Boxes whose text is not the paragraph's own words: note calls and bodies, and
    the number that opens a continued note's rest."""
    tag = box.element_tag or ""
    if "::footnote" in tag or "::marker" in tag:
        return True
    element = box.element
    if element is None:
        return False
    classes = (element.get("class") or "").split()
    return "noteref" in classes or "footnote" in classes or "continued-from" in classes


def _lines(box: Any, anchor: str | None) -> Iterator[tuple[str, str]]:
    """(anchor, text) for each line or image in the page's flow, in reading order; the
    anchor is the id of the nearest element with one."""
    from weasyprint.formatting_structure import boxes  # only where pages are laid out

    if _excluded(box):
        return
    element = box.element
    if element is not None and element.get("id") and not isinstance(box, boxes.InlineBox):
        anchor = element.get("id")
    if isinstance(box, boxes.LineBox):
        text = "".join(_text(child) for child in box.children)
        if anchor is not None and text.strip():
            yield anchor, text
        return
    if isinstance(box, boxes.ReplacedBox) and anchor is not None:
        yield anchor, ""
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child, anchor)


def _text(box: Any) -> str:
    if _excluded(box):
        return ""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))


def count_words(lines: list[str]) -> int:
    """Words set on these lines, a word broken at the end counting as not yet set."""
    text = ""
    for line in lines:
        if text.endswith(LINE_END_HYPHENS):
            text = text[:-1] + line
        else:
            text += " " + line
    words = len(text.split())
    broken = bool(lines) and lines[-1].rstrip().endswith(LINE_END_HYPHENS)
    return words - 1 if broken else words


@dataclass(frozen=True)
class Hyphenated:
    """A line that ends in a word the layout broke: on page ``page`` (from 0), in the
    element ``anchor``, breaking its word number ``word`` (from 0); whether it is the
    last line of its page, and how many hyphenated lines of the element end in a row
    with it (1 for the first)."""

    page: int
    anchor: str
    word: int
    last_on_page: bool
    in_a_row: int


def hyphenated_lines(document: Any) -> list[Hyphenated]:
    """Every line of a laid-out document that ends in a broken word."""
    set_so_far: dict[str, list[str]] = {}
    found: list[Hyphenated] = []
    row = 0
    for index, page in enumerate(document.pages):
        lines = list(_lines(page._page_box.children[0], None))
        for number, (anchor, text) in enumerate(lines):
            set_so_far.setdefault(anchor, []).append(text)
            if not text.rstrip().endswith(LINE_END_HYPHENS):
                row = 0
                continue
            previous = lines[number - 1] if number else None
            row = row + 1 if previous is None or previous[0] == anchor else 1
            word = count_words(set_so_far[anchor])
            found.append(Hyphenated(index, anchor, word, number == len(lines) - 1, row))
    return found


def page_starts(document: Any) -> tuple[PageStart, ...]:
    """The start of every page of a laid-out WeasyPrint document; a blank page (one
    WeasyPrint adds to open a chapter on a right-hand page) begins where the page after
    it does."""
    set_so_far: dict[str, list[str]] = {}
    starts: list[PageStart] = []
    blanks: list[str] = []
    for index, page in enumerate(document.pages):
        folio = str(index + 1)
        if page._page_box.page_type.blank:
            blanks.append(folio)
            continue
        flow = page._page_box.children[0]  # the root box; margins and notes come after
        lines = list(_lines(flow, None))
        if lines:
            anchor = lines[0][0]
            words = count_words(set_so_far.get(anchor, []))
            starts += [PageStart(blank, anchor, words) for blank in blanks]
            starts.append(PageStart(folio, anchor, words))
        blanks = []
        for anchor, text in lines:
            set_so_far.setdefault(anchor, []).append(text)
    return tuple(starts)
