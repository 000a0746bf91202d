"""What a print production editor sends back, counted over the body text of a PDF.

In: a PDF, any PDF (presswork's, or another tool's for comparison). Out: :class:`Counts`
over its body text, read from where ``pdftotext -bbox`` says each word is:

- a word hyphenated across a page turn (the last line of a page ends in a hyphen);
- a paragraph whose last line is a hyphenated fragment (one word, after a line that
  ends in a hyphen);
- a paragraph's last line of one word;
- a run of three or more lines that end in a hyphen, one after another;
- a loose line: a justified line whose spaces are wider than :data:`LOOSE` times the
  font's own space, which is taken as the median space of the lines that are not
  justified (paragraphs' last lines);
- a short line: a line inside a paragraph (not its last) whose words, at the font's
  own spaces, fill less than :data:`SHORT` of the measure: a break made too early,
  "It" alone on a line or three words spread across it.

Body text is the lines of the most common height; a paragraph begins where a line is
indented, stands further from the line before than the text's line pitch, or begins
with a list item's marker.
"""

from __future__ import annotations

import itertools
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

LOOSE = 1.8
SHORT = 0.6
HYPHENS = ("-", "\u2010")
_LIST_MARKER = re.compile(r"[•◦▪‣–—]|\d+[.)]")  # a list item's marker begins a paragraph
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Line:
    page: int
    top: float
    left: float
    right: float
    height: float
    words: tuple[tuple[float, float, str], ...]  # left, right, text

    @property
    def hyphenated(self) -> bool:
        last = self.words[-1][2]
        return len(last) > 1 and last.endswith(HYPHENS)

    def spaces(self) -> list[float]:
        return [b[0] - a[1] for a, b in zip(self.words, self.words[1:], strict=False)]


@dataclass(frozen=True)
class Counts:
    body_pages: int
    body_lines: int
    paragraphs: int
    hyphenated_lines: int
    page_turn_hyphens: int
    fragment_endings: int
    one_word_last_lines: int
    hyphen_runs: int
    loose_lines: int
    short_lines: int

    def per_hundred_pages(self) -> dict[str, float]:
        """Each count per 100 pages of body text."""
        pages = max(self.body_pages, 1)
        return {
            f.name: round(getattr(self, f.name) * 100 / pages, 1)
            for f in fields(self)
            if f.name not in ("body_pages", "body_lines", "paragraphs")
        }

    @property
    def clean(self) -> bool:
        """No word broken at a page turn, no paragraph ending on a fragment, no run of
        three hyphens, no line broken too early."""
        return not (
            self.page_turn_hyphens or self.fragment_endings or self.hyphen_runs or self.short_lines
        )


def _lines(path: Path) -> list[list[Line]]:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise FileNotFoundError("pdftotext (poppler-utils) is not installed")
    xml = subprocess.run(
        [tool, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages: list[list[Line]] = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        rows: dict[float, list[tuple[float, float, float, float, str]]] = {}
        for x0, y0, x1, y1, text in _WORD.findall(page):
            bottom = round(float(y1), 1)
            row = next((r for r in rows if abs(r - bottom) < 1.0), bottom)
            rows.setdefault(row, []).append((float(x0), float(y0), float(x1), float(y1), text))
        lines = []
        for _, words in sorted(rows.items()):
            words.sort()
            height = statistics.median(w[3] - w[1] for w in words)
            lines.append(
                Line(
                    number,
                    min(w[1] for w in words),
                    words[0][0],
                    words[-1][2],
                    round(height, 1),
                    tuple((w[0], w[2], w[4]) for w in words),
                )
            )
        pages.append(lines)
    return pages


def measure(path: Path) -> Counts:
    return measure_lines(_lines(path))


def measure_lines(pages: list[list[Line]]) -> Counts:
    """The counts over pages of lines (top to bottom on each page)."""
    heights = [line.height for page in pages for line in page]
    if not heights:
        return Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    body_height = statistics.mode(heights)
    body = [[line for line in page if abs(line.height - body_height) <= 0.3] for page in pages]
    all_body = [line for page in body for line in page]
    left = statistics.mode(round(line.left) for line in all_body)
    right = max(round(line.right) for line in all_body)
    pitch = statistics.median(
        b.top - a.top for page in body for a, b in itertools.pairwise(page) if b.top > a.top
    )
    indent = body_height * 0.5

    def full(line: Line) -> bool:
        return line.right >= right - 1.5

    def starts_paragraph(line: Line, before: Line | None) -> bool:
        return (
            before is None
            or line.left > left + indent
            or line.top - before.top > pitch * 1.3
            or bool(_LIST_MARKER.fullmatch(line.words[0][2]))
        )

    paragraphs: list[list[Line]] = []
    page_turns = 0
    for number, page in enumerate(body):
        for index, line in enumerate(page):
            before = page[index - 1] if index else None
            carried = (
                before is None
                and bool(paragraphs)
                and full(paragraphs[-1][-1])
                and line.left <= left + indent
            )
            if starts_paragraph(line, before) and not carried:
                paragraphs.append([line])
            else:
                paragraphs[-1].append(line)
        later = any(body[number + 1 :])
        if page and page[-1].hyphenated and later:
            page_turns += 1
    fragments = one_word = runs = 0
    natural: list[float] = []
    justified: list[Line] = []
    for paragraph in paragraphs:
        last = paragraph[-1]
        if len(paragraph) > 1 and len(last.words) == 1:
            one_word += 1
            if paragraph[-2].hyphenated:
                fragments += 1
        natural += last.spaces()
        justified += [line for line in paragraph[:-1] if full(line)]
        row = 0
        for line in paragraph:
            row = row + 1 if line.hyphenated else 0
            if row == 3:
                runs += 1
    space = statistics.median(natural) if natural else body_height * 0.25
    loose = sum(
        1 for line in justified if line.spaces() and statistics.mean(line.spaces()) > LOOSE * space
    )
    short = sum(
        1
        for paragraph in paragraphs
        for line in paragraph[:-1]
        if sum(end - start for start, end, _ in line.words) + space * (len(line.words) - 1)
        < SHORT * (right - left)
    )
    return Counts(
        body_pages=sum(1 for page in body if len(page) >= 5),
        body_lines=len(all_body),
        paragraphs=len(paragraphs),
        hyphenated_lines=sum(1 for line in all_body if line.hyphenated),
        page_turn_hyphens=page_turns,
        fragment_endings=fragments,
        one_word_last_lines=one_word,
        hyphen_runs=runs,
        loose_lines=loose,
        short_lines=short,
    )
