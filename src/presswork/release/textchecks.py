"""The PDF's text as those who search, copy or listen to it get it: every word whole.

In: a PDF edition and the ePub built beside it (its words: :mod:`presswork.release.epubtext`).
Out: a verdict for each of two extractors, poppler's ``pdftotext`` and pypdf: that the
words of the text come out whole and in reading order. pdftotext takes a line that ends
in a hyphen (U+002D) for a word that goes on, as PDF viewers do; pypdf does not, and the
same is done for it here. A word broken at the turn of a page, or at a hyphen of its
own, comes out as two and is named. Each chapter is read from the page that the PDF's
outline gives for it, so that the contents, which name every chapter and section,
are not mistaken for the text.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from presswork.release import epubtext
from presswork.release.validators import missing
from presswork.release.verdict import Verdict

WINDOW = 400  # how far ahead a word is looked for: past a page's notes and running heads
PIECES = 40  # how far apart the two pieces of a word broken at a page turn may be
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")


def pdftotext_pages(path: Path) -> list[str] | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=False
    )
    return done.stdout.split("\f") if done.returncode == 0 else None


def pypdf_pages(path: Path) -> list[str] | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return [_LINE_END_HYPHEN.sub("", page.extract_text() or "") for page in reader.pages]


def chapter_pages(path: Path) -> list[tuple[str, int]]:
    """The outline's top-level entries: each chapter's title and the index of the page
    it starts on."""
    import pikepdf

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        numbers: dict[tuple[int, int], int] = {
            page.obj.objgen: n for n, page in enumerate(pdf.pages)
        }
        starts = []
        for item in outline.root:
            destination = item.destination
            if isinstance(destination, pikepdf.Array) and len(destination) > 0:
                target = destination[0]
                if isinstance(target, pikepdf.Dictionary) and target.objgen in numbers:
                    starts.append((str(item.title), numbers[target.objgen]))
        return starts


def broken_words(expected: list[str], pages: list[str], first: int = 1) -> list[str]:
    """The words of ``expected`` that the pages' text does not give whole, in order;
    ``pages`` are numbered from ``first``."""
    found: list[tuple[str, int]] = [
        (word, number)
        for number, text in enumerate(pages, start=first)
        for word in epubtext.words(text)
    ]
    problems: list[str] = []
    j = 0
    for word in expected:
        if j < len(found) and found[j][0] == word:
            j += 1
            continue
        if j < len(found) and word.startswith(found[j][0]):
            head, page = found[j]
            rest = next(
                (
                    k
                    for k in range(j + 1, min(j + PIECES, len(found)))
                    if head + found[k][0] == word
                ),
                None,
            )
            if rest is not None:
                where = (
                    f"page {page}"
                    if found[rest][1] == page
                    else f"pages {page} and {found[rest][1]}"
                )
                problems.append(f"‘{word}’ broken in two ({head}|{found[rest][0]}, {where})")
                j = rest + 1
                continue
        ahead = next(
            (k for k in range(j, min(j + WINDOW, len(found))) if found[k][0] == word), None
        )
        if ahead is None:
            page = found[j][1] if j < len(found) else first + len(pages) - 1
            problems.append(f"‘{word}’ missing (near page {page})")
        else:
            j = ahead + 1
    return problems


def words_whole(path: Path, epub: Path | None) -> list[Verdict]:
    checks = (("pdftotext", pdftotext_pages), ("pypdf", pypdf_pages))
    if epub is None:
        return [
            Verdict(f"words whole ({name})", path.name, None, "no ePub beside it to compare with")
            for name, _ in checks
        ]
    chapters = epubtext.chapters(epub)
    starts = chapter_pages(path)
    titles = [chapter.headings[0][1] if chapter.headings else "" for chapter in chapters]
    if [epubtext.words(title) for title, _ in starts] != [epubtext.words(t) for t in titles]:
        return [
            Verdict(
                f"words whole ({name})",
                path.name,
                False,
                f"the outline lists {len(starts)} chapters, not the ePub's {len(chapters)} "
                "in the same order and words",
            )
            for name, _ in checks
        ]
    expected = sum(len(chapter.words) for chapter in chapters)
    verdicts = []
    for name, extract in checks:
        pages = extract(path)
        if pages is None:
            verdicts.append(missing(name, f"words whole ({name})", path.name))
            continue
        ends = [start for _, start in starts[1:]] + [len(pages)]
        problems = [
            problem
            for chapter, (_, start), end in zip(chapters, starts, ends, strict=True)
            for problem in broken_words(list(chapter.words), pages[start:end], start + 1)
        ]
        detail = (
            f"{len(problems)} of {expected} words not whole: " + "; ".join(problems[:5])
            if problems
            else f"all {expected} words of the text whole, in order"
        )
        verdicts.append(Verdict(f"words whole ({name})", path.name, not problems, detail))
    return verdicts
