"""The transforms that resolve a book, case by case from the fixture files beside this
one (``fixtures/*.md``: a title, the manuscript, what the transform makes of it), and
the page breaks carried from the PDF's pages into the book. In-process and quick: each
case is read with presswork's reader and resolved, nothing is laid out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from presswork.config.manifest import load_config
from presswork.errors import Report
from presswork.manuscript.chapters import read_book
from presswork.model import (
    Book,
    Figure,
    Heading,
    Link,
    NoteRef,
    PageStart,
    Paragraph,
    Text,
    walk_block_tree,
    walk_inlines,
)
from presswork.transforms import resolve
from presswork.transforms.page_breaks import with_page_breaks
from presswork.transforms.tree import walk_blocks

FIXTURES = Path(__file__).parent / "fixtures"
BOOK = "title: Test Book\nlanguage: en-GB\n"


@dataclass(frozen=True)
class Case:
    title: str
    source: str
    expected: str


def cases(name: str) -> Iterator[Case]:
    """The cases of ``fixtures/NAME.md``: blocks of title, ``.``, input, ``.``,
    expected, ``.``; lines starting with ``#`` before the first case are comments."""
    lines = (FIXTURES / f"{name}.md").read_text(encoding="utf-8").split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    parts: list[list[str]] = [[]]
    for line in lines:
        if line == ".":
            parts.append([])
        else:
            parts[-1].append(line)
    for index in range(0, len(parts) - 2, 3):
        title = "\n".join(parts[index]).strip()
        yield Case(title, "\n".join(parts[index + 1]) + "\n", "\n".join(parts[index + 2]))


def read(source: str, root: Path) -> tuple[Book, Report]:
    """The manuscript of a case, written into ``root``, read and resolved."""
    files: dict[str, str] = {}
    name = "a.md"
    for line in source.split("\n"):
        match = re.fullmatch(r"=== (\S+)", line)
        if match:
            name = match[1]
            files[name] = ""
        else:
            files[name] = files.get(name, "") + line + "\n"
    chapters = [n for n in files if n.endswith(".md")]
    manifest = BOOK + files.pop("book.yaml", "") + "chapters:\n"
    manifest += "".join(f"  - {n}\n" for n in chapters)
    for file_name, text in files.items():
        (root / file_name).write_text(text.strip("\n") + "\n" if text.strip() else "")
    (root / "book.yaml").write_text(manifest)
    report = Report()
    config = load_config(root, report)
    assert config is not None and not report.has_errors, report.diagnostics
    book = read_book(config, datetime(2024, 1, 1, tzinfo=UTC), "urn:uuid:test", report)
    return resolve(book, config, report), report


def findings(report: Report, root: Path) -> list[str]:
    shown = []
    for d in report.sorted():
        where = f"{d.path.relative_to(root)}:{d.line}" if d.path and d.line else ""
        shown.append(f"{d.code} {where}{f':{d.col}' if d.col else ''}")
    return shown


def notes(book: Book) -> list[str]:
    lines = []
    for chapter in book.chapters:
        calls = [
            f"{n.label}={n.number}.{n.call}"
            for n in walk_blocks(chapter.blocks)
            if isinstance(n, NoteRef)
        ]
        lines.append(f"{chapter.id}: calls {' '.join(calls)}")
        kept = [f"{n.number}={n.label}×{n.calls}" for n in chapter.notes]
        lines.append(f"{chapter.id}: notes {' '.join(kept)}")
    return lines


def heading_ids(book: Book) -> list[str]:
    return [
        f"{b.level} {b.id}"
        for chapter in book.chapters
        for b in chapter.blocks
        if isinstance(b, Heading)
    ]


def block_ids(book: Book) -> list[str]:
    lines = []
    for chapter in book.chapters:
        listed = [
            f"{b.kind} {b.id}"
            for b in walk_block_tree(chapter.blocks)
            if isinstance(b, Paragraph | Figure)
        ]
        assert [line.split()[1] for line in listed] == list(chapter.block_ids())
        lines += listed
    return lines


def links(book: Book) -> list[str]:
    lines = []
    for chapter in book.chapters:
        for node in walk_blocks(chapter.blocks):
            if not isinstance(node, Link):
                continue
            if node.url is not None:
                target = node.url
            elif node.anchor is not None:
                target = node.anchor.chapter + (
                    f"#{node.anchor.fragment}" if node.anchor.fragment else ""
                )
            else:
                target = "text"
            lines.append(f"{node.href} -> {target}")
    return lines


DUMPS = {"notes": notes, "heading_ids": heading_ids, "block_ids": block_ids, "links": links}


@pytest.mark.parametrize(
    ("fixture", "case"),
    [(name, case) for name in DUMPS for case in cases(name)],
    ids=lambda value: value.title if isinstance(value, Case) else value,
)
def test_fixture(fixture: str, case: Case, tmp_path: Path) -> None:
    book, report = read(case.source, tmp_path)
    shown = DUMPS[fixture](book)
    shown += [f for f in findings(report, tmp_path) if f.split()[0] != "PW108"]
    assert "\n".join(shown) == case.expected, case.title


def test_every_fixture_file_has_cases() -> None:
    for path in sorted(FIXTURES.glob("*.md")):
        assert path.stem in DUMPS, path
        assert len(list(cases(path.stem))) >= 3, path


# Page breaks -------------------------------------------------------------------------


def marked(book: Book) -> list[str]:
    """Each block of the first chapter as its text, a page break shown as [N]."""
    shown = []
    chapter = book.chapters[0]
    shown += [f"[{page.label}] opening" for page in chapter.opening_pages]
    for block in walk_block_tree(chapter.blocks):
        if block.kind == "pagebreak":
            shown.append(f"[{block.label}]")  # type: ignore[union-attr]
        elif isinstance(block, Paragraph | Heading):
            words = "".join(
                node.text if isinstance(node, Text) else f"[{node.label}]"
                for node in walk_inlines(block.children)
                if isinstance(node, Text) or node.kind == "pagebreak"
            )
            shown.append(words)
    return shown


BREAKS = """# A

First paragraph of five words.

## Section {#section}

Second paragraph, three words before the turn.
"""


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        ((PageStart("4", "a", 0),), ["[4] opening", "First paragraph of five words.", "Section"]),
        (
            (PageStart("5", "a--_p2", 3),),
            ["First paragraph of five words.", "Section", "Second paragraph, three [5]words"],
        ),
        (
            (PageStart("6", "a--section", 0),),
            ["First paragraph of five words.", "[6]", "Section"],
        ),
        # Two words set on the page before: the marker stands before the third.
        (
            (PageStart("7", "a--_p1", 2),),
            ["First paragraph [7]of five words."],
        ),
        # Ids the book does not have are passed over.
        ((PageStart("8", "elsewhere--_p1", 0),), ["First paragraph of five words."]),
    ],
)
def test_page_breaks_stand_before_the_word_a_page_begins_with(
    starts: tuple[PageStart, ...], expected: list[str], tmp_path: Path
) -> None:
    book, _ = read(BREAKS, tmp_path)
    shown = marked(with_page_breaks(book, starts))
    for line in expected:
        assert any(s.startswith(line) for s in shown), (line, shown)
    labels = [s for s in shown if "[" in s]
    assert len(labels) == len([s for s in starts if not s.anchor.startswith("elsewhere")])


def test_the_front_matter_pages_are_named(tmp_path: Path) -> None:
    from presswork.ids import FIXED

    book, _ = read(BREAKS, tmp_path)
    starts = (
        PageStart("1", FIXED.title_page, 0),
        PageStart("2", FIXED.imprint, 0),
        PageStart("3", FIXED.contents_title, 0),
        PageStart("4", FIXED.contents, 140),  # a contents of three pages
        PageStart("5", FIXED.contents, 290),
    )
    marked_book = with_page_breaks(book, starts)
    assert {k: [p.label for p in v] for k, v in marked_book.front_pages.items()} == {
        "title-page": ["1"],
        "imprint": ["2"],
        "contents": ["3", "4", "5"],
    }
