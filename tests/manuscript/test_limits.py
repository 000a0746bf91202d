"""Limits hold before the work: a file over its limit costs no memory, every file is
read once, parsing stays linear on input made to defeat it, and the limits count what
the documentation says they count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import figures
from presswork.config import text
from presswork.manuscript.chapters import MAX_CHAPTER_BYTES, MAX_LISTS, MAX_NOTE_CALLS, MAX_QUOTES
from presswork.manuscript.load import load
from presswork.styles import production, styles_dir

from conftest import write_book

BOOK = "title: Test Book\nlanguage: en-GB\nchapters:\n  - a.md\n"


# Runs the command, then prints the peak memory of the one process it waited for.
_MEASURED = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
)


def _check(root: Path, timeout: float = 60) -> tuple[list[dict[str, object]], int]:
    """``presswork check --format json`` in a process of its own: the findings, and the
    peak memory of that process in MB."""
    command = [sys.executable, "-m", "presswork", "check", str(root), "--diagnostics", "json"]
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr, result.stderr
    peak = int(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout), peak // 1024


@pytest.mark.parametrize("which", ["a.md", "book.yaml"])
def test_a_file_far_over_its_limit_is_refused_without_being_read(
    tmp_path: Path, which: str
) -> None:
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, BOOK)
    with (root / which).open("r+b") as stream:  # sparse: 2 GB that take no disk
        stream.truncate(2_000_000_000)
    findings, peak = _check(root)
    assert [(f["code"], Path(str(f["path"])).name) for f in findings] == [("PW204", which)]
    assert "2000000000 bytes" in str(findings[0]["message"])
    assert peak < 300, f"{peak} MB to refuse a file it should not read"


def test_a_chapter_one_byte_over_the_limit(tmp_path: Path) -> None:
    root = write_book(
        tmp_path / "book", {"a.md": "# A\n\n" + "x " * (MAX_CHAPTER_BYTES // 2)}, BOOK
    )
    findings, _ = _check(root)
    assert ("PW204", 1) in [(f["code"], f["line"]) for f in findings]


def test_a_device_or_pipe_is_not_read(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", {"b.md": "# B\n"}, BOOK)
    os.mkfifo(root / "a.md")  # opening it for reading would wait for a writer for ever
    findings, _ = _check(root, timeout=30)
    assert "PW204" in {f["code"] for f in findings} or "PW106" in {f["code"] for f in findings}


def test_every_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chapters = {
        "a.md": "# A\n\nThe '90s.[^n]\n\n[^n]: A note.\n",
        "b.md": "# B\n\nTwo.\n",
        "c.md": "# C\n\nNot listed.\n",
    }
    book = BOOK + "  - b.md\nnotices:\n  - A notice.\n"
    root = write_book(tmp_path / "book", chapters, book)
    reads: Counter[str] = Counter()
    bounded = text.read_bounded

    def counted(path: Path, max_bytes: int) -> bytes | text.Refused:
        reads[Path(path).name] += 1
        return bounded(path, max_bytes)

    monkeypatch.setattr(text, "read_bounded", counted)
    loaded = load(root)
    assert loaded.book is not None and not loaded.report.has_errors
    # The reader's rules and the text's rules ran (an unlisted chapter is not read).
    assert {d.code for d in loaded.report.diagnostics} >= {"PW702", "PW108"}
    assert reads == {"book.yaml": 1, "a.md": 1, "b.md": 1}


def test_unclosed_note_calls_are_parsed_in_linear_time(tmp_path: Path) -> None:
    """900 ``[^`` never closed, in a 0.9 MB paragraph without spaces (within the chapter
    limit): markdown-it's own rule, quadratic, took four minutes over 1,500 in 1.5 MB, so
    about a minute and a half over these; the check must take seconds."""
    body = "".join("[^" + "x" * 1000 for _ in range(900))
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n" + body + "\n"}, BOOK)
    findings, _ = _check(root, timeout=30)
    # What is left to say: a paragraph without a space is one word no line can hold.
    assert {str(f["code"]) for f in findings if f["severity"] == "error"} == {"PW704"}


def test_the_note_limit_counts_calls_not_definitions(tmp_path: Path) -> None:
    """Each note called once and defined once: 2 × ``[^`` per note. The documented limit
    is on calls."""
    notes = MAX_NOTE_CALLS * 6 // 10
    calls = " ".join(f"Fact.[^n{i}]" for i in range(notes))
    definitions = "".join(f"\n[^n{i}]: Note {i}.\n" for i in range(notes))
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{calls}\n{definitions}"}, BOOK)
    findings, _ = _check(root)
    assert "PW307" not in {f["code"] for f in findings}
    over = " ".join("Fact.[^n]" for _ in range(MAX_NOTE_CALLS + 1))
    (root / "a.md").write_text(f"# A\n\n{over}\n\n[^n]: The note.\n", encoding="utf-8")
    findings, _ = _check(root)
    assert [f["message"] for f in findings if f["code"] == "PW307"] == [
        f"{MAX_NOTE_CALLS + 1} footnote calls: a chapter may have at most {MAX_NOTE_CALLS}"
    ]


@pytest.mark.parametrize(
    "text",
    ["x" * 201, "*" + "x" * 100 + "*" + "y" * 101, "[" + "x" * 150 + "](b.md)" + "z" * 60],
    ids=["plain", "through emphasis", "through a link"],
)
def test_a_word_no_line_can_hold(tmp_path: Path, text: str) -> None:
    chapters = {"a.md": f"# A\n\nA note.[^n]\n\n[^n]: See {text}.\n", "b.md": "# B\n"}
    root = write_book(tmp_path / "book", chapters, BOOK + "  - b.md\n")
    findings, _ = _check(root)
    assert [(f["code"], f["line"]) for f in findings if f["severity"] == "error"] == [("PW704", 5)]
    (root / "a.md").write_text(f"# A\n\nA word of 200: {'x' * 199}.\n", encoding="utf-8")
    findings, _ = _check(root)
    assert "PW704" not in {f["code"] for f in findings}


def test_a_note_longer_than_a_page_is_named_at_the_check(tmp_path: Path) -> None:
    """A note longer than a page's notes area holds is continued after its chapter in
    the PDF (tests/editions/test_long_notes.py): the check says so, as a warning, named
    where the note was defined, with its length."""
    words = " ".join(f"word{i}" for i in range(1500))
    chapter = f"# A\n\nA call.[^long]\n\nA paragraph.\n\n[^long]: {words}\n"
    root = write_book(tmp_path / "book", {"a.md": chapter}, BOOK)
    findings, _ = _check(root)
    named = [f for f in findings if f["code"] == "PW705"]
    assert [(f["severity"], f["line"], f["col"]) for f in named] == [("warning", 7, 1)]
    assert "[^long] has 12,389 characters" in str(named[0]["message"])
    # At the length: half of it ("a a … a"), a space, the other half — paragraphs joined.
    half = production(styles_dir()).continued_over // 2
    chapter = f"# A\n\nA call.[^n]\n\n[^n]: {'a ' * (half // 2)}\n\n    {'b' * half}\n"
    (root / "a.md").write_text(chapter, encoding="utf-8")
    findings, _ = _check(root)
    assert "PW705" not in {f["code"] for f in findings}, findings
    (root / "a.md").write_text(chapter.replace("b\n", "bb\n"), encoding="utf-8")
    findings, _ = _check(root)
    assert "PW705" in {f["code"] for f in findings}


@pytest.mark.parametrize("kind", ["quotes", "lists"])
def test_nesting_is_refused_just_past_the_documented_depth(tmp_path: Path, kind: str) -> None:
    """The deepest nesting documented is taken whole; one more is refused (PW604), and
    markdown-it's own limit, where text is dropped, lies further still."""

    def nested(depth: int) -> str:
        if kind == "quotes":
            return ">" * depth + " deepest\n"
        return "".join("  " * level + f"- level {level}\n" for level in range(depth))

    deepest = MAX_QUOTES if kind == "quotes" else MAX_LISTS
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n" + nested(deepest)}, BOOK)
    loaded = load(root)
    assert loaded.book is not None and not loaded.report.has_errors, loaded.report.diagnostics
    last = "deepest" if kind == "quotes" else f"level {deepest - 1}"
    assert last in json.dumps(repr(loaded.book.chapters[0].blocks))
    (root / "a.md").write_text("# A\n\n" + nested(deepest + 1), encoding="utf-8")
    assert [d.code for d in load(root).report.diagnostics] == ["PW604"]


def test_good_images_pass(tmp_path: Path) -> None:
    chapters = {
        "a.md": "# A\n\n![A chart](chart.png)\n\n![A photo](photo.jpg)\n\n![A map](map.svg)\n",
        "chart.png": "",
        "photo.jpg": "",
        "map.svg": "",
    }
    root = write_book(tmp_path / "book", chapters, BOOK)
    (root / "chart.png").write_bytes(figures.png())
    (root / "photo.jpg").write_bytes(figures.jpeg())
    (root / "map.svg").write_bytes(figures.GOOD_SVG)
    findings, _ = _check(root)
    assert not [f for f in findings if str(f["code"]).startswith("PW5")], findings
