"""The command line as people use it: progress they can read in a terminal, one
vocabulary of options, machine-readable outputs in a documented form, a failed build
that says how many problems and that nothing was written, an ePub without PDF layout."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from referencing import Registry, Resource

from presswork.cli import cli
from presswork.progress import Step
from presswork.release import validators

from conftest import ROOT, run_presswork, write_book

SCHEMAS = ROOT / "docs" / "schemas"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The names of the layout's parts inside presswork, which no person should read.
INTERNAL = ("unit", "furniture", "length of the front matter", "north-korea--")


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def conforms(document: object, name: str) -> None:
    """``document`` has the form ``docs/schemas/<name>`` documents (and fails if not)."""
    registry: Registry[Any] = Registry().with_resources(
        (f"presswork/{p.name}", Resource.from_contents(schema(p.name)))
        for p in SCHEMAS.glob("*.json")
    )
    jsonschema.Draft202012Validator(schema(name), registry=registry).validate(document)


# Two chapters, one with a warning (a straight quote that opens or closes nothing).
CHAPTERS = {
    "one.md": "# One\n\nA first chapter with a note.[^a]\n\n[^a]: The note.\n",
    "two.md": '# Two\n\nA second chapter, 5" long.\n',
}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("cli") / "book", CHAPTERS)


def in_a_terminal(*args: str | Path, cwd: Path) -> str:
    """What the command shows in a terminal 100 columns wide: stdout and stderr, as the
    terminal received them, with each redraw of the live line on a line of its own."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "30", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "presswork", *map(str, args)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    received = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            pytest.fail("the command stopped writing for two minutes")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the command ended
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return received.decode("utf-8", "replace")


def screen_lines(received: str) -> list[str]:
    text = ANSI.sub("", received)
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def test_progress_in_a_terminal_counts_chapters_and_time(book: Path, tmp_path: Path) -> None:
    received = in_a_terminal("build", "book", "-o", tmp_path / "out", cwd=book.parent)
    lines = screen_lines(received)
    live = [line for line in lines if line.startswith("Laying out chapters") or "/2" in line]
    # A count of the chapters and the time since the build began, on the live line.
    assert any(re.search(r"Laying out chapters.* [0-2]/2 +0:\d\d$", line) for line in live), lines
    # The warning has a line of its own, beginning with where it is: never glued to the
    # live line, before or after.
    (warning,) = {line for line in lines if "PW702" in line}
    assert warning.startswith("book/two.md:3:"), warning
    assert not any("Laying out" in line or "Checking" in line for line in [warning])
    # The end: what was written and how long the whole build took.
    end = r"built in \d+\.\d s: laid out all 2 chapters \(one, two\), .*"
    assert re.fullmatch(end, lines[-1]), lines
    shown = "\n".join(lines).lower()
    assert not [name for name in INTERNAL if name in shown], shown


def test_not_a_terminal_shows_no_progress_but_warnings(book: Path, tmp_path: Path) -> None:
    result = run_presswork("build", "book", "-o", tmp_path, cwd=book.parent)
    assert result.returncode == 0, result.stderr
    assert [line.split(": ", 1)[0] for line in result.stderr.splitlines()] == ["book/two.md:3:20"]
    verbose = run_presswork("build", book, "-o", tmp_path, "-v", cwd=tmp_path)
    steps = [line for line in verbose.stderr.splitlines() if "PW702" not in line]
    assert steps[0] == "0:00 Checking the manuscript", steps
    assert all(re.fullmatch(r"\d+:\d\d [A-Z][A-Za-z ']+( \(\d+\))?", s) for s in steps), steps
    quiet = run_presswork("build", book, "-o", tmp_path, "-q", cwd=tmp_path)
    assert quiet.stdout == "" and "PW702" in quiet.stderr
    both = run_presswork("build", book, "-o", tmp_path, "-q", "-v", cwd=tmp_path)
    assert both.returncode == 2


def test_the_build_summary_has_its_documented_form(book: Path, tmp_path: Path) -> None:
    result = run_presswork("build", book, "-o", tmp_path / "out", "--json", "--release")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    conforms(summary, "build.schema.json")
    assert summary["built"] is True
    files = {Path(f["path"]).name: f for f in summary["files"]}
    pdf = tmp_path / "out" / "test-book.pdf"
    assert files["test-book.pdf"]["bytes"] == pdf.stat().st_size
    sums = (tmp_path / "out" / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{files['test-book.pdf']['sha256']}  test-book.pdf" in sums
    assert files["SHA256SUMS"]["edition"] is None
    assert summary["laid_out"]["chapters"] == ["one", "two"]
    assert {"check", "layout", "join", "save"} <= set(summary["timings"])
    (warning,) = summary["diagnostics"]
    assert warning["code"] == "PW702"
    # The steps the schema names are the build's steps.
    timings = schema("build.schema.json")["properties"]["timings"]
    assert set(timings["propertyNames"]["enum"]) == {s.value for s in Step}


def test_a_failed_build_counts_its_problems_and_writes_nothing(tmp_path: Path) -> None:
    broken = write_book(tmp_path / "broken", {"a.md": "# A\n\nA call[^none] to nothing.\n"})
    output = tmp_path / "out"
    result = run_presswork("build", broken, "-o", output, "--json", "--diagnostics", "json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    conforms(summary, "build.schema.json")
    assert summary["built"] is False and summary["files"] == []
    assert [d["code"] for d in summary["diagnostics"]] == ["PW301"]
    *found, last = result.stderr.splitlines()
    for line in found:
        conforms(json.loads(line), "diagnostic.schema.json")
    assert last == "1 error: no edition was written"
    assert not output.exists() or not any(output.glob("*.pdf"))


def test_check_prints_its_findings_in_the_documented_form(book: Path) -> None:
    result = run_presswork("check", book, "--diagnostics", "json")
    assert result.returncode == 0
    findings = json.loads(result.stdout)
    conforms(findings, "check.schema.json")
    assert [f["code"] for f in findings] == ["PW702"]


def test_one_vocabulary_of_options() -> None:
    """--format is an edition wherever it is an option; every command that reports
    problems takes --diagnostics; every command that lays out takes --jobs."""
    commands = {name: command for name, command in cli.commands.items()}
    editions = {"pdf", "print", "epub"}
    for name, command in commands.items():
        options = {o.name: o for o in command.params if isinstance(o, click.Option)}
        formats = [o for o in command.params if "--format" in getattr(o, "opts", ())]
        for option in formats:
            assert isinstance(option.type, click.Choice), name
            assert set(option.type.choices) == editions, name
        if name in ("build", "watch", "check"):
            assert "diagnostics_form" in options, name
        if name in ("build", "watch"):
            assert "jobs" in options and formats, name


def test_shell_completion_is_offered() -> None:
    result = subprocess.run(
        [Path(sys.executable).parent / "presswork"],
        env={**os.environ, "_PRESSWORK_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "complete" in result.stdout and "_PRESSWORK_COMPLETE" in result.stdout


def test_an_epub_without_page_list_lays_out_nothing(book: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = run_presswork(
        "build", book, "-o", output, "--format", "epub", "--no-page-list", "--json"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["laid_out"] == {
        "chapters": [],
        "of_chapters": 2,
        "front_matter": False,
        "furniture_pages": 0,
    }
    assert [f["pages"] for f in summary["files"]] == [None]
    assert not (output / ".presswork-cache" / "unit").exists()
    with zipfile.ZipFile(output / "test-book.epub") as epub:
        text = "".join(
            epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith((".xhtml", ".opf"))
        )
    assert "page-list" not in text and "pagebreak" not in text
    assert "pageNavigation" not in text and "printPageNumbers" not in text
    wrong = run_presswork("build", book, "-o", output, "--no-page-list")
    assert wrong.returncode == 2 and "--format epub" in wrong.stderr


# verify: the same verdict for every missing validator, hints that fit the install -----


def test_a_missing_validator_is_skipped_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from presswork.release import verify

    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(verify.shutil, "which", lambda name: None)
    skipped = verify.qpdf_check(pdf)
    assert skipped.passed is None and "not installed: scripts/setup" in skipped.detail
    (required,) = validators.required([skipped], frozenset({"qpdf"}))
    assert required.passed is False
    (other,) = validators.required([skipped], frozenset({"ace"}))
    assert other.passed is None
    # Installed as a package, the hint is the package manager's, and is shown whole.
    monkeypatch.setattr(validators, "from_checkout", lambda: False)
    for name in validators.names():
        assert "scripts/setup" not in validators.install_hint(name)
    assert "apt install qpdf" in verify.qpdf_check(pdf).detail


def test_verify_require_fails_on_a_missing_validator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from presswork.release import verify

    (tmp_path / "book.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "book.epub").write_bytes(b"PK")
    monkeypatch.setattr(verify.shutil, "which", lambda name: None)  # no Java, no Chromium
    monkeypatch.delenv("PUPPETEER_EXECUTABLE_PATH", raising=False)
    monkeypatch.setattr(validators, "from_checkout", lambda: False)
    runner = CliRunner()

    def qpdf_row(*options: str) -> dict[str, Any]:
        result = runner.invoke(cli, ["verify", str(tmp_path), "--json", *options])
        rows = json.loads(result.stdout)
        conforms(rows, "verify.schema.json")
        row: dict[str, Any] = next(r for r in rows if r["check"] == "qpdf --check")
        return row

    assert qpdf_row()["passed"] is None
    assert qpdf_row("--require", "qpdf,ace")["passed"] is False
    assert qpdf_row("--require", "all")["passed"] is False
    unknown = runner.invoke(cli, ["verify", str(tmp_path), "--require", "qpfd"])
    assert unknown.exit_code == 2 and "not a validator" in unknown.output
    table = runner.invoke(cli, ["verify", str(tmp_path)], terminal_width=80)
    # rich reads [verify] as markup unless told not to: the hint must arrive whole.
    assert "presswork[verify]" in table.output.replace("\n", "").replace("│", "").replace(" ", "")
    names = schema("verify.schema.json")["items"]["properties"]["validator"]["enum"]
    assert set(names) - {None} == set(validators.names())


def test_the_command_line_loads_little_before_the_first_layout_process_starts() -> None:
    """The build command starts a layout process (which loads WeasyPrint) before it
    loads Rich and the build: presswork.cli itself loads neither, nor does the summary
    the command imports."""
    heavy = ("rich", "presswork.commands.build", "presswork.commands.summary", "weasyprint")
    code = f"import sys, presswork.cli; print([m for m in {heavy!r} if m in sys.modules])"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"
    code = (
        "import sys, presswork.commands.summary; print('presswork.commands.build' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "False", found.stderr
