"""`presswork check`: each rule, triggered by a small manuscript, names its code, file,
line (and column where the editor can be pointed at one); a build of a manuscript with
an error refuses, prints the same finding, and leaves the output folder as it was."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import figures
from presswork.cli import cli

from conftest import ROOT

BOOK = "title: Test Book\nlanguage: en-GB\nchapters:\n  - a.md\n"
FIGURE = "# A\n\n![A chart](chart.png)\n"
SVG = "# A\n\n![A chart](chart.svg)\n"


@dataclass(frozen=True)
class Case:
    """A manuscript (``files`` beside ``book.yaml``) and the finding it must give."""

    name: str
    code: str
    severity: str
    path: str
    line: int | None
    col: int | None = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    book: str = BOOK


def chapter(text: str) -> dict[str, str | bytes]:
    return {"a.md": text}


CASES = [
    # book.yaml
    Case(
        "yaml does not parse",
        "PW101",
        "error",
        "book.yaml",
        2,
        13,
        chapter("# A\n"),
        "title: Test\nlanguage: en: GB\nchapters: [a.md]\n",
    ),
    Case(
        "required key missing",
        "PW102",
        "error",
        "book.yaml",
        1,
        None,
        chapter("# A\n"),
        "title: Test\nchapters: [a.md]\n",
    ),
    Case(
        "wrong type",
        "PW103",
        "error",
        "book.yaml",
        2,
        None,
        chapter("# A\n"),
        "title: Test\nlanguage: [en]\nchapters: [a.md]\n",
    ),
    Case(
        "unknown key",
        "PW104",
        "warning",
        "book.yaml",
        2,
        None,
        chapter("# A\n"),
        "title: Test\ntitel: Typo\nlanguage: en-GB\nchapters: [a.md]\n",
    ),
    Case(
        "chapter listed twice",
        "PW105",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "  - a.md\n",
    ),
    Case(
        "chapter file missing",
        "PW106",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "  - b.md\n",
    ),
    Case("no book.yaml", "PW107", "error", "book.yaml", None, None, chapter("# A\n"), ""),
    Case(
        "markdown file not listed",
        "PW108",
        "info",
        "notes/draft.md",
        None,
        None,
        {"a.md": "# A\n", "notes/draft.md": "# Draft\n"},
    ),
    Case(
        "yaml alias",
        "PW101",
        "error",
        "book.yaml",
        2,
        11,
        chapter("# A\n"),
        "title: &t Test\nlanguage: *t\nchapters: [a.md]\n",
    ),
    # encoding
    Case("not utf-8", "PW201", "error", "a.md", 3, 4, {"a.md": b"# A\n\nCaf\xe9 au lait\n"}),
    Case("byte-order mark", "PW202", "warning", "a.md", 1, 1, chapter("\ufeff# A\n")),
    Case("control character", "PW203", "error", "a.md", 3, 5, chapter("# A\n\nText\x07here\n")),
    Case(
        "file too large",
        "PW204",
        "error",
        "a.md",
        1,
        None,
        chapter("# A\n\n" + "word " * 1_100_000),
    ),
    # notes
    Case(
        "call without definition",
        "PW301",
        "error",
        "a.md",
        4,
        11,
        chapter("# A\n\nFirst line\nand a call[^gone] here.\n"),
    ),
    Case(
        "definition never called",
        "PW302",
        "warning",
        "a.md",
        5,
        1,
        chapter("# A\n\nNo call.\n\n[^idle]: An unused note.\n"),
    ),
    Case(
        "label defined twice",
        "PW303",
        "error",
        "a.md",
        7,
        1,
        chapter("# A\n\nOne.[^n]\n\n[^n]: First.\n\n[^n]: Second.\n"),
    ),
    Case("empty note", "PW304", "error", "a.md", 5, 1, chapter("# A\n\nOne.[^n]\n\n[^n]:\n")),
    Case(
        "note in heading",
        "PW305",
        "error",
        "a.md",
        3,
        11,
        chapter("# A\n\n## Heading[^n]\n\n[^n]: Note.\n"),
    ),
    Case(
        "call inside note",
        "PW306",
        "error",
        "a.md",
        5,
        14,
        chapter("# A\n\nOne.[^n]\n\n[^n]: A note.[^m]\n\n[^m]: Another.\n"),
    ),
    Case(
        "too many note calls",
        "PW307",
        "error",
        "a.md",
        1,
        None,
        chapter("# A\n\n" + "x[^n] " * 10_001 + "\n\n[^n]: N.\n"),
    ),
    # links and ids
    Case(
        "link to a missing chapter",
        "PW401",
        "error",
        "a.md",
        3,
        9,
        chapter("# A\n\nSee [B](b.md) there.\n"),
    ),
    Case(
        "link to a missing id",
        "PW402",
        "error",
        "a.md",
        3,
        13,
        chapter("# A\n\nSee [there](#nowhere).\n"),
    ),
    Case(
        "duplicate heading id",
        "PW403",
        "error",
        "a.md",
        5,
        None,
        chapter("# A\n\n## One {#x}\n\n## Two {#x}\n"),
    ),
    Case(
        "heading level skips",
        "PW404",
        "warning",
        "a.md",
        5,
        1,
        chapter("# A\n\n## Two\n\n#### Four\n"),
    ),
    Case(
        "link scheme not allowed",
        "PW405",
        "error",
        "a.md",
        3,
        9,
        chapter("# A\n\nSee [x](ftp://example.org/x).\n"),
    ),
    Case("no title", "PW406", "error", "a.md", 1, None, chapter("Text before a title.\n")),
    Case(
        "second level-1 heading", "PW407", "error", "a.md", 5, 1, chapter("# A\n\nText.\n\n# B\n")
    ),
    Case(
        "chapter not in the book",
        "PW408",
        "info",
        "a.md",
        3,
        20,
        chapter("# A\n\n(see [China entry](chapter:china)).\n"),
    ),
    # media
    Case(
        "image file missing",
        "PW501",
        "error",
        "a.md",
        3,
        12,
        chapter("# A\n\n![A chart](chart.png)\n"),
    ),
    Case(
        "image outside the folder",
        "PW502",
        "error",
        "a.md",
        3,
        12,
        chapter("# A\n\n![A chart](../chart.png)\n"),
    ),
    Case(
        "image by absolute path",
        "PW502",
        "error",
        "a.md",
        3,
        12,
        chapter("# A\n\n![A chart](/etc/hostname)\n"),
    ),
    Case(
        "image without alt text",
        "PW503",
        "error",
        "a.md",
        3,
        1,
        {"a.md": "# A\n\n![](chart.png)\n", "chart.png": b"\x89PNG\r\n\x1a\n"},
    ),
    Case(
        "remote image",
        "PW504",
        "error",
        "a.md",
        3,
        12,
        chapter("# A\n\n![A chart](https://example.org/chart.png)\n"),
    ),
    Case(
        "image inside a sentence",
        "PW505",
        "error",
        "a.md",
        3,
        5,
        {"a.md": "# A\n\nSee ![a chart](chart.png) here.\n", "chart.png": b"\x89PNG"},
    ),
    Case(
        "image format",
        "PW506",
        "error",
        "a.md",
        3,
        12,
        {"a.md": "# A\n\n![A chart](chart.bmp)\n", "chart.bmp": b"BM"},
    ),
    Case(
        "image cut short",
        "PW507",
        "error",
        "chart.png",
        1,
        None,
        {"a.md": FIGURE, "chart.png": figures.png()[:-200]},
    ),
    Case(
        "image that decodes to too many pixels",
        "PW507",
        "error",
        "chart.png",
        1,
        None,
        {"a.md": FIGURE, "chart.png": figures.bomb()},
    ),
    Case(
        "image not of the format its name says",
        "PW507",
        "error",
        "chart.png",
        1,
        None,
        {"a.md": FIGURE, "chart.png": figures.jpeg()},
    ),
    *(
        Case(
            f"svg {name}",
            "PW508",
            "error",
            "chart.svg",
            line,
            None,
            {"a.md": SVG, "chart.svg": svg},
        )
        for name, (svg, line) in figures.HOSTILE_SVGS.items()
    ),
    Case(
        "isbn with a wrong check digit",
        "PW103",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "isbn: 978-0-306-40615-8\n",
    ),
    Case(
        "isbn of an edition presswork does not make",
        "PW103",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "isbn:\n  kindle: 978-0-306-40615-7\n",
    ),
    Case(
        "author with a role presswork does not know",
        "PW103",
        "error",
        "book.yaml",
        7,
        None,
        chapter("# A\n"),
        BOOK + "authors:\n  - Ada Writer\n  - name: Ida Illustrator\n    role: illustrator\n",
    ),
    Case(
        "cover image narrower than reading apps want",
        "PW509",
        "warning",
        "book.yaml",
        5,
        None,
        {"a.md": "# A\n", "cover.jpg": figures.jpeg()},
        BOOK + "cover: cover.jpg\n",
    ),
    Case(
        "cover image missing",
        "PW501",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "cover: cover.jpg\n",
    ),
    Case(
        "cover image outside the manuscript",
        "PW502",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "cover: ../cover.jpg\n",
    ),
    Case(
        "cover image not what its name says",
        "PW507",
        "error",
        "cover.jpg",
        1,
        None,
        {"a.md": "# A\n", "cover.jpg": figures.png()},
        BOOK + "cover: cover.jpg\n",
    ),
    Case(
        "cover image of a format an ePub cover cannot be",
        "PW103",
        "error",
        "book.yaml",
        5,
        None,
        chapter("# A\n"),
        BOOK + "cover: cover.gif\n",
    ),
    # markup
    Case("inline html", "PW601", "error", "a.md", 3, 6, chapter("# A\n\nSome <b>bold</b>.\n")),
    Case("block html", "PW601", "error", "a.md", 3, 1, chapter("# A\n\n<div>\nx\n</div>\n")),
    Case("unknown block", "PW602", "error", "a.md", 3, 5, chapter("# A\n\n::: sidebar\nx\n:::\n")),
    Case(
        "nested too deep",
        "PW604",
        "error",
        "a.md",
        3,
        None,
        chapter("# A\n\n" + "> " * 30 + "deep\n"),
    ),
    # text
    Case(
        "character no typeface draws",
        "PW701",
        "error",
        "a.md",
        3,
        8,
        chapter("# A\n\nKorea (조선) in Korean.\n"),
    ),
    Case(
        "apostrophe or quote",
        "PW702",
        "warning",
        "a.md",
        3,
        22,
        chapter("# A\n\nIt's \"quoted\" in the '90s.\n"),
    ),
    Case("quote left open", "PW702", "warning", "a.md", 3, 9, chapter('# A\n\nHe said "never.\n')),
]


def write(root: Path, case: Case) -> None:
    root.mkdir()
    for name, content in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.book:
        (root / "book.yaml").write_text(case.book, encoding="utf-8")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case, in_tmp: Path) -> None:
    write(in_tmp / "book", case)
    result = run("check", "book", "--diagnostics", "json")
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    findings = json.loads(result.stdout)
    expected = {
        "path": str(Path("book") / case.path),
        "line": case.line,
        "code": case.code,
        "severity": case.severity,
    }
    matching = [f for f in findings if {k: f[k] for k in expected} == expected]
    assert matching, f"expected {expected}, got {findings}"
    if case.col is not None:
        assert matching[0]["col"] == case.col, matching[0]
    assert result.exit_code == (1 if case.severity == "error" else 0)
    strict = run("check", "book", "--strict")
    assert strict.exit_code == (0 if case.severity == "info" else 1)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.severity == "error"],
    ids=[c.name for c in CASES if c.severity == "error"],
)
def test_build_refuses_with_the_same_finding(case: Case, in_tmp: Path) -> None:
    write(in_tmp / "book", case)
    output = in_tmp / "out"
    output.mkdir()
    (output / "test-book.pdf").write_bytes(b"an earlier edition")
    checked = run("check", "book")
    first_error = next(line for line in checked.stdout.splitlines() if f"{case.code} error" in line)
    result = run("build", "book", "-o", "out")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert first_error in result.stderr
    assert "Traceback" not in result.output
    assert [p.name for p in output.iterdir()] == ["test-book.pdf"]
    assert (output / "test-book.pdf").read_bytes() == b"an earlier edition"


def test_symlink_leading_out_of_the_folder(in_tmp: Path) -> None:
    outside = in_tmp / "secret.png"
    outside.write_bytes(b"\x89PNG")
    case = Case(
        "symlink", "PW502", "error", "a.md", 3, 12, chapter("# A\n\n![A chart](chart.png)\n")
    )
    write(in_tmp / "book", case)
    (in_tmp / "book" / "chart.png").symlink_to(outside)
    findings = json.loads(run("check", "book", "--diagnostics", "json").stdout)
    assert [(f["code"], f["line"]) for f in findings] == [("PW502", 3)]


def test_north_korea_has_no_error_and_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run("check", "manuscript", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1] == "0 errors, 0 warnings, 1 info"


def test_every_problem_sorted_by_file_and_line_then_a_count(in_tmp: Path) -> None:
    case = Case(
        "many",
        "PW301",
        "error",
        "a.md",
        3,
        files={
            "a.md": "# A\n\nOne[^x] \"never '90s.\n\n<br>\n",
            "b.md": "# B\n\nSee [c](c.md).\n",
        },
        book=BOOK + "  - b.md\n  - missing.md\n",
    )
    write(in_tmp / "book", case)
    lines = run("check", "book").stdout.strip().splitlines()
    locations = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert locations == [
        "book/a.md:3:4:",
        "book/a.md:3:9:",
        "book/a.md:3:16:",
        "book/a.md:5:1:",
        "book/b.md:3:9:",
        "book/book.yaml:6:",
    ], lines
    assert lines[-1] == "4 errors, 2 warnings, 0 infos"


def test_usage_error_exits_2(in_tmp: Path) -> None:
    assert run("check", "--format", "xml").exit_code == 2


def test_each_case_has_the_severity_of_its_code() -> None:
    """The cases above give each severity by hand; the table of codes must agree."""
    from presswork.codes import CODES

    for case in CASES:
        assert CODES[case.code].severity.value == case.severity, case.name
