"""A build that cannot succeed says why in one line per problem, with the file and line,
shows no traceback, exits non-zero, and leaves the output folder as it was."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import run_presswork

OLD = {"test-book.pdf": b"old screen edition", "test-book.epub": b"old epub", "notes.txt": b"x"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def failed_build(source: Path, tmp_path: Path, *options: str) -> tuple[str, dict[str, bytes]]:
    """Build into a folder holding earlier editions; return stderr and what the folder
    held before, after asserting the failure's shape."""
    output = tmp_path / "out"
    output.mkdir()
    for name, data in OLD.items():
        (output / name).write_bytes(data)
    before = snapshot(output)
    result = run_presswork("build", source, "-o", output, *options, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(output) == before
    # The last line counts the problems printed above it, and says what was not done.
    *problems, last = result.stderr.strip().splitlines()
    errors = sum(" error: " in line for line in problems)
    warnings = sum(" warning: " in line for line in problems)
    count = f"{errors} error{'s' * (errors != 1)}"
    count += f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
    assert last == f"{count}: no edition was written", result.stderr
    return "\n".join(problems) + "\n", before


def test_missing_manuscript_folder(tmp_path: Path) -> None:
    stderr, _ = failed_build(tmp_path / "nowhere", tmp_path)
    assert stderr.strip().splitlines() == ["nowhere: PW107 error: manuscript folder not found"]


BAD_MANIFESTS = [
    # (book.yaml, expected line, words in the message)
    ("title: Test\nlanguage: en-GB\nchapters: [a.md\n", 4, "does not parse"),
    ("title: Test\nchapters:\n  - a.md\n", 1, "required key 'language' is missing"),
    (
        "title: Test\nlanguage: en-GB\nchapters:\n  - a.md\n  - missing.md\n",
        5,
        "chapter file 'missing.md' not found",
    ),
    (
        "title: Test\nlanguage: 42\nchapters: [a.md]\n",
        2,
        "'language' must be a BCP 47 language tag such as en-GB",
    ),
    ("title: Test\nlanguage: en-GB\nchapters:\n  - a.md\n  - a.md\n", 5, "listed twice"),
    ("title: &t Test\nlanguage: *t\nchapters: [a.md]\n", 2, "aliases are not allowed"),
]


@pytest.mark.parametrize(("manifest", "line", "words"), BAD_MANIFESTS)
def test_bad_manifest(
    manifest: str, line: int, words: str, tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(book=manifest)
    stderr, _ = failed_build(root, tmp_path)
    first = stderr.strip().splitlines()[0]
    assert first.startswith(f"manuscript/book.yaml:{line}:"), first
    assert words in first


BAD_CHAPTERS = [
    # (chapter text, expected line, code, words in the message)
    ("# A\n\nText with a call.[^missing]\n", 3, "PW301", "[^missing] is called but never"),
    ("# A\n\nOne.[^n]\n\nTwo.\n\n[^n]: first\n\n[^n]: second\n", 9, "PW303", "defined twice"),
    ("# A\n\nSome <b>raw</b> HTML.\n", 3, "PW601", "raw HTML"),
    ("# A\n\n<div>\nblock\n</div>\n", 3, "PW601", "raw HTML"),
    ("# A\n\nSee [there](b.md).\n", 3, "PW401", "is not a chapter of this book"),
    ("# A\n\nSee [there](#nowhere).\n", 3, "PW402", "no heading with id 'nowhere'"),
    ("# A\n\n## One {#x}\n\n## Two {#x}\n", 5, "PW403", "already used on line 3"),
    ("Text before any title.\n", 1, "PW406", "level-1 heading"),
    ("# A\n\n::: sidebar\nText.\n:::\n", 3, "PW602", "unknown block"),
    ("---\nid: a\n\n# A\n", 1, "PW101", "front matter is not closed"),
]


@pytest.mark.parametrize(("chapter", "line", "code", "words"), BAD_CHAPTERS)
def test_bad_chapter(
    chapter: str, line: int, code: str, words: str, tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(chapters={"a.md": chapter})
    stderr, _ = failed_build(root, tmp_path)
    lines = stderr.strip().splitlines()
    assert any(
        text.startswith(f"manuscript/a.md:{line}:") and f"{code} error" in text and words in text
        for text in lines
    ), lines


def test_every_problem_is_reported_at_once(tmp_path: Path, make_book: Callable[..., Path]) -> None:
    root = make_book(chapters={"a.md": "# A\n\nOne.[^x]\n", "b.md": "# B\n\nTwo.[^y]\n"})
    stderr, _ = failed_build(root, tmp_path)
    assert "manuscript/a.md:3:" in stderr and "manuscript/b.md:3:" in stderr


@pytest.mark.parametrize(
    "epoch",
    [
        "yesterday",
        "١٧٠٠٠٠٠٠٠٠",  # Arabic-Indic digits: a number to Python, not to the convention
        "１７００００００００",  # full-width digits
        "99999999999",  # the year 5138: no ZIP archive can record it
        "315532799",  # 1979-12-31, the second before the first date a ZIP can record
        "4354819199",  # 2107-12-31 23:59:59, the second after the last
        "1e9",
        "-1",
    ],
)
def test_bad_source_date_epoch(tmp_path: Path, make_book: Callable[..., Path], epoch: str) -> None:
    root = make_book()
    output = tmp_path / "out"
    result = run_presswork(
        "build", root, "-o", output, cwd=tmp_path, env={"SOURCE_DATE_EPOCH": epoch}
    )
    assert result.returncode == 1, result.stderr
    assert "PW109 error: SOURCE_DATE_EPOCH" in result.stderr and "1980" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_a_file_dated_after_what_an_epub_can_record(
    tmp_path: Path, make_book: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without SOURCE_DATE_EPOCH or git, the build takes the newest file's date: a file
    from a machine whose clock says 2150 gives the last date a ZIP can hold, and a
    warning, not a traceback."""
    from click.testing import CliRunner

    from presswork.cli import cli

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no repository above
    root = make_book()
    future = datetime(2150, 6, 1, tzinfo=UTC).timestamp()
    os.utime(root / "a.md", (future, future))
    output = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(root), "-o", str(output), "-f", "epub"])
    assert result.exit_code == 0, result.output
    assert "PW111 warning" in result.output and "2107-12-31" in result.output
    with zipfile.ZipFile(output / "test-book.epub") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2107, 12, 31, 23, 59, 58)}


@pytest.mark.parametrize(
    ("book", "line"),
    [
        ('title: T\nlanguage: en-GB\nslug: "evil\\n"\nchapters: [a.md]\n', 3),
        ("title: T\nlanguage: en-GB\nslug: ok\ndate: '２０２４'\nchapters: [a.md]\n", 4),
        ('title: T\nlanguage: "en-GB\\n"\nchapters: [a.md]\n', 2),
    ],
    ids=["slug with a newline", "year in full-width digits", "language with a newline"],
)
def test_values_are_matched_whole(
    tmp_path: Path, make_book: Callable[..., Path], book: str, line: int
) -> None:
    root = make_book(book=book)
    stderr, _ = failed_build(root, tmp_path)
    assert f"book.yaml:{line}: PW103 error" in stderr, stderr


def test_a_chapter_id_with_a_newline_is_refused(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book(chapters={"a.md": '---\nid: "evil\\n"\n---\n# A\n\nText.\n'})
    stderr, _ = failed_build(root, tmp_path)
    assert "a.md:2: PW" in stderr, stderr


def test_output_folder_that_cannot_be_written(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book()
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    result = run_presswork("build", root, "-o", blocker / "editions", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "PW902" in result.stderr and "Traceback" not in result.stderr
    assert blocker.read_text() == "a file where the output folder should be"


def test_a_good_build_replaces_earlier_editions_and_nothing_else(
    tmp_path: Path, make_book: Callable[..., Path]
) -> None:
    root = make_book()
    output = tmp_path / "out"
    output.mkdir()
    for name, data in OLD.items():
        (output / name).write_bytes(data)
    result = run_presswork("build", root, "-o", output, "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = snapshot(output)
    assert after["test-book.pdf"].startswith(b"%PDF-")
    assert after["test-book.epub"] == OLD["test-book.epub"]
    assert after["notes.txt"] == OLD["notes.txt"]
    # Nothing else: no temporary file is left behind, only the documented cache.
    assert set(after) == set(OLD)
    cache = output / ".presswork-cache"
    cached = {p.name for p in cache.iterdir()}
    documented = {"chapter", "coverage", "cover", "subset", "unit", "unit-pdf"}
    assert {"subset", "unit", "unit-pdf"} <= cached <= documented
    # Every unit's record has its PDF beside it, and nothing else is kept.
    units = sorted(p.name for p in (cache / "unit").iterdir())
    assert units and units == sorted(p.name for p in (cache / "unit-pdf").iterdir())


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = run_presswork("build", "--format", "docx", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["layout", "join"])
def test_a_process_that_dies_fails_the_build_cleanly(
    tmp_path: Path, make_book: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from presswork.commands.build import BuildRequest, build
    from presswork.errors import OutputError
    from presswork.layout import workers

    submit = workers.Workers.submit

    def killed(self: workers.Workers, what: str, *args: object) -> Future[object]:
        if what != kind:
            return submit(self, what, *args)  # type: ignore[arg-type]
        future: Future[object] = Future()
        future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future

    monkeypatch.setattr(workers.Workers, "submit", killed)
    root = make_book(chapters={"a.md": "# A\n\nText.\n", "b.md": "# B\n\nMore.\n"})
    output = tmp_path / "out"
    output.mkdir()
    for name, data in OLD.items():
        (output / name).write_bytes(data)
    with pytest.raises(OutputError) as raised:
        build(BuildRequest(root, output, jobs=2))
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "PW905" and "stopped" in diagnostic.message
    assert ("--jobs" in diagnostic.message) == (kind == "layout")
    assert snapshot(output) == OLD


@pytest.mark.parametrize("single", [False, True], ids=["by unit", "single"])
def test_a_note_taller_than_its_page_is_refused_not_cut(
    tmp_path: Path, make_book: Callable[..., Path], single: bool
) -> None:
    """Short enough to be set whole (PW705), a note of 300 one-word paragraphs is still too
    tall for a page's notes area: WeasyPrint would set its first lines above the page.
    The build refuses, naming the note where it was defined."""
    lines = "".join(f"\n    Line{i}.\n" for i in range(300))
    chapter = f"# A\n\nA call.[^tall]\n\n[^tall]: The first line.\n{lines}"
    stderr, _ = failed_build(make_book({"a.md": chapter}), tmp_path, *(["--single"] * single))
    assert "a.md:5:1: PW906 error: note [^tall] does not fit in " in stderr, stderr
