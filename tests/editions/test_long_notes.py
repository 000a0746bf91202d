"""Notes longer than a page's notes area: a 1,500-word note and a 30,000-word one, built
once by the command line. WeasyPrint sets a note on one page or not at all, so the PDF
sets each one's start at the foot of its call's page and the rest after the chapter's
last paragraph; not a word may be lost, repeated or out of order, the ePub keeps the
notes whole, and its page list still follows every page of the PDF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import NS, Built, run_presswork, write_book

BOOK = "title: Long Notes\nlanguage: en-GB\nslug: long-notes\npublisher: Test\n"


def note_words(tag: str, count: int) -> list[str]:
    """Words each found once in the book, a sentence ending every twelfth."""
    return [f"{tag}{i}" + ("." if i % 12 == 11 else "") for i in range(count)]


SHORT = note_words("short", 1500)
LONG = note_words("long", 30000)


def paragraphs(found: list[str], size: int) -> str:
    return "\n\n    ".join(" ".join(found[i : i + size]) for i in range(0, len(found), size))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    body = " ".join(f"body{i}" + ("." if i % 15 == 14 else "") for i in range(400))
    chapter = (
        f"# Long notes\n\nA call to the first.[^short] {body}\n\n"
        f"A call to the second.[^long] {body}\n\nThe last paragraph.\n\n"
        f"[^short]: {SHORT[0]} {paragraphs(SHORT[1:], 250)}\n\n"
        f"[^long]: {paragraphs(LONG, 400)}\n"
    )
    root = tmp_path_factory.mktemp("long-notes")
    source = write_book(root / "book", {"a.md": chapter}, BOOK + "chapters:\n  - a.md\n")
    output = root / "out"
    result = run_presswork("build", source, "-o", output)
    return Built(output, "long-notes", result, source)


def pdf_words(pdf: Path) -> list[list[str]]:
    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\f")
    return [page.split() for page in pages]


def test_the_build_warns_of_each_long_note_and_writes_every_edition(built: Built) -> None:
    assert built.result.returncode == 0, built.result.stderr
    assert built.source is not None
    lines = (built.source / "a.md").read_text(encoding="utf-8").split("\n")
    defined = [(str(n), ln[2:].split("]")[0]) for n, ln in enumerate(lines, 1) if ln[:2] == "[^"]
    warnings = re.findall(r"a\.md:(\d+):1: PW705 warning: note \[\^(\w+)\]", built.result.stderr)
    assert warnings == defined == [(warnings[0][0], "short"), (warnings[1][0], "long")]
    assert "PW906" not in built.result.stderr


@pytest.mark.parametrize("which", ["print", "screen"])
def test_every_word_of_both_notes_is_in_the_pdf_once_and_in_order(built: Built, which: str) -> None:
    pages = pdf_words(built.print_pdf if which == "print" else built.pdf)
    found = [word for page in pages for word in page]
    for note in (SHORT, LONG):
        tag = note[0].rstrip("0123456789.")
        set_words = [w for w in found if re.fullmatch(rf"{tag}\d+\.?", w)]
        assert set_words == note, f"{len(set_words)} of {len(note)} words of the note"


def test_each_note_starts_on_its_calls_page_and_links_to_its_rest(built: Built) -> None:
    pages = pdf_words(built.pdf)
    for call, first in (("first.", SHORT[0]), ("second.", LONG[0])):
        page = next(i for i, words in enumerate(pages) if call in words)
        assert first in pages[page], f"the note called on page {page + 1} does not start there"
        after = " ".join(pages[page][pages[page].index(first) :])
        assert "continued at the end of the chapter" in after
    # The rest follows the chapter's last paragraph, its first part marked "(continued)".
    text = [" ".join(words) for words in pages]
    last = next(i for i, page in enumerate(text) if "The last paragraph." in page)
    rest = " ".join(text[last:])
    assert rest.index("The last paragraph.") < rest.index("(continued)")


def test_the_epub_keeps_each_note_whole_and_pages_mark_the_rest(built: Built) -> None:
    chapter = next(n for n in built.epub_files if n.endswith("a.xhtml"))
    document = built.xhtml(chapter)
    asides = document.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert len(asides) == 2
    for aside, note in zip(asides, (SHORT, LONG), strict=True):
        words = [w for w in "".join(aside.itertext()).split() if w[0].isalpha()]
        assert words == note
    # Every page of the PDF is in the page list, those begun in a note's rest included.
    pdf_pages = len(pdf_words(built.pdf)) - 1  # pdftotext ends the last page with \f
    nav = built.xhtml(next(n for n in built.epub_files if n.endswith("nav.xhtml")))
    listed = nav.xpath("//x:nav[@epub:type='page-list']//x:a/text()", namespaces=NS)
    assert listed == [str(n) for n in range(1, pdf_pages + 1)]
    in_notes = [
        marker.get("title") or "".join(marker.itertext())
        for aside in asides
        for marker in aside.xpath(".//*[@epub:type='pagebreak']", namespaces=NS)
    ]
    assert len(in_notes) >= 20, in_notes


def test_every_validator_passes_on_the_editions(built: Built) -> None:
    result = run_presswork("verify", "--json", built.output)
    verdicts = json.loads(result.stdout)
    failed = [v for v in verdicts if v["passed"] is False]
    assert not failed, failed
    passed = {v["check"] for v in verdicts if v["passed"]}
    assert {"EPUBCheck", "pdfua", "tagged PDF structure", "PDF links"} <= passed
    assert "structure follows the text" in passed
