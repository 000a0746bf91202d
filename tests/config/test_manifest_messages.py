"""What ``book.yaml``'s problems say: an unknown key or word names the known one closest
to it, a wrong value says what a right one is (the range, the words allowed, an example),
and a chapter file that is not there names the Markdown file that most likely was meant.
Each case is a small manifest written by hand; the expected messages are what an editor
should read, written from the documented keys (docs/manuscript.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from presswork.config.manifest import load_config
from presswork.errors import Report

from conftest import write_book

HEAD = "title: Test Book\nlanguage: en-GB\nchapters:\n  - a.md\n"

# (what follows HEAD in book.yaml, code, line, message)
CASES = [
    (
        "subtitel: Notes\n",
        "PW104",
        5,
        """unknown key 'subtitel' (ignored); did you mean "subtitle"?""",
    ),
    ("colour: red\n", "PW104", 5, "unknown key 'colour' (ignored)"),
    (
        "authors:\n  - Ann Smith\n  - name: Bo Lee\n    role: editr\n",
        "PW103",
        7,
        "'authors' item 2: role must be one of: author, editor, translator; "
        'did you mean "editor"?',
    ),
    (
        "authors:\n  - nmae: Bo Lee\n",
        "PW103",
        6,
        "'authors' item 1 has an unknown key 'nmae' (known: name, role); did you mean \"name\"?",
    ),
    (
        "isbn:\n  pfd: 978-0-306-40615-7\n",
        "PW103",
        5,
        "'isbn' names an edition 'pfd' (editions: pdf, print, epub); did you mean \"pdf\"?",
    ),
    (
        "footnote_numbering: chapters\n",
        "PW103",
        5,
        "'footnote_numbering' must be one of: chapter, book; did you mean \"chapter\"?",
    ),
    (
        "chapter_start: rigth\n",
        "PW103",
        5,
        "'chapter_start' must be one of: any, right; did you mean \"right\"?",
    ),
    ("toc_depth: two\n", "PW103", 5, "'toc_depth' must be an integer from 1 to 3"),
    ("toc_depth: 4\n", "PW103", 5, "'toc_depth' must be an integer from 1 to 3"),
    ("signature: sixteen\n", "PW103", 5, "'signature' must be 4, 8, 16 or 32"),
    (
        "date: 2024-02-30\n",
        "PW103",
        5,
        "'date' must be a year, a month or a day, such as 2024, 2024-05 or 2024-05-01",
    ),
    (
        "date: May 2024\n",
        "PW103",
        5,
        "'date' must be a year, a month or a day, such as 2024, 2024-05 or 2024-05-01",
    ),
    (
        "subjects: history\n",
        "PW103",
        5,
        '\'subjects\' must be a list of text, written "- history" on the lines under "subjects:"',
    ),
    ("subjects:\n  - history\n  - ''\n", "PW103", 7, "'subjects' item 2 must be non-empty text"),
]


def findings(root: Path) -> list[tuple[str, int | None, str]]:
    report = Report()
    load_config(root, report)
    return [(d.code, d.line, d.message) for d in report.diagnostics]


@pytest.mark.parametrize(("extra", "code", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_the_message_says_what_was_meant(
    extra: str, code: str, line: int, message: str, tmp_path: Path
) -> None:
    root = write_book(tmp_path / "book", {"a.md": "# A\n"}, HEAD + extra)
    assert findings(root) == [(code, line, message)]


def test_a_page_size_names_the_sizes_and_the_one_meant(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", {"a.md": "# A\n"}, HEAD + "page_size: Letter\n")
    ((code, line, message),) = findings(root)
    assert (code, line) == ("PW103", 5)
    for size in ("A4", "A5", "B5", "letter", "legal", "170mm 240mm"):
        assert size in message
    assert message.endswith('; did you mean "letter"?')


def test_chapters_given_as_one_name_are_shown_as_a_list(tmp_path: Path) -> None:
    book = "title: Test Book\nlanguage: en-GB\nchapters: spring.md\n"
    root = write_book(tmp_path / "book", {"spring.md": "# Spring\n"}, book)
    assert findings(root) == [
        (
            "PW103",
            3,
            """'chapters' must be a list of paths, written "- spring.md" on the lines """
            """under "chapters:\"""",
        )
    ]


def chapters(*names: str) -> str:
    return "title: Test Book\nlanguage: en-GB\nchapters:\n" + "".join(f"  - {n}\n" for n in names)


def test_a_missing_chapter_names_the_file_closest_to_it(tmp_path: Path) -> None:
    files = {"summer.md": "# Summer\n", "parts/spring.md": "# Spring\n"}
    root = write_book(tmp_path / "book", files, chapters("summer.md", "parts/sprng.md"))
    assert findings(root) == [
        ("PW106", 5, """chapter file 'parts/sprng.md' not found; did you mean "parts/spring.md"?""")
    ]


def test_a_missing_chapter_prefers_a_file_no_chapter_names(tmp_path: Path) -> None:
    # "intr.md" is as close to "intro.md" as to "intra.md": intro.md is listed already.
    files = {"intro.md": "# Intro\n", "intra.md": "# Intra\n"}
    root = write_book(tmp_path / "book", files, chapters("intro.md", "intr.md"))
    assert findings(root) == [
        ("PW106", 5, """chapter file 'intr.md' not found; did you mean "intra.md"?""")
    ]
    # With every file listed, the closest of them all.
    root = write_book(tmp_path / "all", {"intro.md": "# Intro\n"}, chapters("intro.md", "intr.md"))
    assert findings(root) == [
        ("PW106", 5, """chapter file 'intr.md' not found; did you mean "intro.md"?""")
    ]


def test_a_missing_chapter_like_no_file_suggests_nothing(tmp_path: Path) -> None:
    files = {"a.md": "# A\n", ".git/notes.md": "hidden\n"}
    root = write_book(tmp_path / "book", files, chapters("a.md", "notes.md"))
    assert findings(root) == [("PW106", 5, "chapter file 'notes.md' not found")]
