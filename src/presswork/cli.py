"""The command line: parse arguments, call the build, report. No logic of its own.

In: ``argv``. Out: for ``build``, editions written by
:func:`presswork.commands.build.build`, progress on stderr, a one-line summary on stdout;
for ``check``, the findings of :func:`presswork.commands.check.check`, one per line or as
JSON, and a count; for ``verify``, the verdicts of
:func:`presswork.release.verify.verify`. Exit status: 0 on
success, 1 for a problem in the manuscript, 2 for a usage error, 3 when an edition could
not be written.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from presswork import __version__
from presswork.codes import Severity
from presswork.editions import Edition, makes_pdf
from presswork.errors import PressworkError
from presswork.release.validators import names as validator_names
from presswork.system import check_system

# Rich is loaded by the commands that print with it, not here: the build command starts
# its first layout process before it loads Rich and the build, so that the process loads
# WeasyPrint meanwhile.
if TYPE_CHECKING:
    from presswork.commands.live import Live
    from presswork.commands.watch import Rebuild
    from presswork.errors import Diagnostic


def _manuscript_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The folder named, else this one where it holds a book.yaml, else manuscript/."""
    if value is not None:
        return value
    return Path() if Path("book.yaml").is_file() else Path("manuscript")


# What build, watch and check share: the manuscript folder, the output, the editions.
manuscript_argument = click.argument(
    "manuscript",
    required=False,
    callback=_manuscript_folder,
    type=click.Path(file_okay=False, path_type=Path),
)
output_option = click.option(
    "-o",
    "--output",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the editions are written to.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes laying out pages at once; default: one per core.",
)
formats_option = click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice([e.value for e in Edition]),
    help="Edition to build (repeatable); default: all.",
)
diagnostics_option = click.option(
    "--diagnostics",
    "diagnostics_form",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Problems as 'path:line:col: CODE severity: message' lines, or as JSON.",
)
page_list_option = click.option(
    "--no-page-list",
    "page_list",
    flag_value=False,
    default=True,
    help="An ePub alone without laying out pages: quicker, with no printed page numbers.",
)


def _shown(quiet: bool, verbose: bool) -> str:
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose ask for opposite things: give one")
    return "quiet" if quiet else "verbose" if verbose else "normal"


quiet_option = click.option(
    "-q", "--quiet", is_flag=True, help="Print only problems: no progress, no summary."
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Print each step of the build on a line of its own."
)


class _Problems:
    """Prints diagnostics as the command was asked to, on stderr, above any live line:
    a line of text each, or a JSON object each (one per line)."""

    def __init__(self, form: str, live: Live, cwd: Path) -> None:
        self.form, self.live, self.cwd = form, live, cwd
        self.printed: list[Diagnostic] = []

    def __call__(self, diagnostic: Diagnostic) -> None:
        self.printed.append(diagnostic)
        if self.form == "json":
            self.live.print(
                json.dumps(diagnostic.as_dict(relative_to=self.cwd), ensure_ascii=False)
            )
        else:
            self.live.print(diagnostic.format(relative_to=self.cwd))


# The signal that stopped the command, when one did (SIGTERM is what ``timeout``, CI
# runners and supervisors send; it stops a command as Ctrl-C does).
_stopped_by: list[int] = []
_STOPPED = {
    "build": "no edition was written",
    "watch": "the last good editions are left in place",
}


def _stop(signum: int, frame: object) -> None:
    _stopped_by.append(signum)
    raise KeyboardInterrupt


class _Commands(click.Group):
    """presswork's commands. Interrupted (Ctrl-C) or stopped (SIGTERM), a command stops
    its processes, says so in one line and exits with 128 + the signal's number: 130 or
    143, as shells do."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            signum = _stopped_by[-1] if _stopped_by else signal.SIGINT
            what = "stopped" if signum == signal.SIGTERM else "interrupted"
            consequence = _STOPPED.get(ctx.invoked_subcommand or "", "")
            after_echo = "\n" if sys.stderr.isatty() else ""  # the terminal's ^C ends no line
            click.echo(after_echo + what + (f": {consequence}" if consequence else ""), err=True)
            sys.exit(128 + signum)


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="presswork")
def cli() -> None:
    """Typeset a semantic Markdown manuscript into a screen PDF, a print PDF and an ePub."""


@cli.command(name="build")
@manuscript_argument
@output_option
@click.option(
    "--release",
    is_flag=True,
    help="Also write SHA256SUMS and build-record.json beside the editions.",
)
@formats_option
@jobs_option
@click.option(
    "--single",
    is_flag=True,
    help="Lay the book out as one document, without the layout cache (slower).",
)
@page_list_option
@diagnostics_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary of the build.")
@quiet_option
@verbose_option
def build_command(
    manuscript: Path,
    output: Path,
    release: bool,
    formats: tuple[str, ...],
    jobs: int | None,
    single: bool,
    page_list: bool,
    diagnostics_form: str,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build the editions of MANUSCRIPT into OUTPUT. MANUSCRIPT: by default this folder
    if it has a book.yaml, else manuscript/."""
    from presswork.config.look import styles_for
    from presswork.layout.warmup import load_layout
    from presswork.layout.workers import Workers, default_jobs

    editions = tuple(Edition(f) for f in formats) or tuple(Edition)
    if not page_list and editions != (Edition.EPUB,):
        raise click.UsageError("--no-page-list is for an ePub alone: add --format epub")
    check_system()
    workers = Workers(1 if single else jobs or default_jobs())
    if not single and makes_pdf(editions):
        # A layout process loads WeasyPrint while this one loads the build.
        workers.warm(load_layout, manuscript.resolve(), styles_for(manuscript.resolve()))
    from rich.console import Console

    from presswork.commands import summary
    from presswork.commands.live import Live, Shown

    live = Live(Console(stderr=True), Shown(_shown(quiet, verbose)))
    cwd = Path.cwd().resolve()
    problems = _Problems(diagnostics_form, live, cwd)
    try:
        with workers:
            from presswork.commands.build import BuildRequest, build

            request = BuildRequest(manuscript, output, editions, release, jobs, single, page_list)
            with live.shown():
                built = build(request, progress=live, warn=problems, workers=workers)
    except PressworkError as exc:
        for diagnostic in exc.diagnostics:
            if diagnostic not in problems.printed:
                problems(diagnostic)
        everything = list(dict.fromkeys([*problems.printed, *exc.diagnostics]))
        if as_json:
            failed = summary.document(None, everything, live.elapsed, live.timings(), cwd)
            click.echo(json.dumps(failed, indent=2, ensure_ascii=False))
        click.echo(f"{summary.counted(everything)}: no edition was written", err=True)
        sys.exit(exc.exit_code)
    seconds = live.elapsed
    if as_json:
        done = summary.document(built, problems.printed, seconds, live.timings(), cwd)
        click.echo(json.dumps(done, indent=2, ensure_ascii=False))
    elif not quiet:
        for line in summary.lines(built, seconds, cwd):
            click.echo(line)


@cli.command(name="new")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def new_command(folder: Path) -> None:
    """Begin a book in FOLDER (missing or empty; default: this folder): a small
    manuscript that builds at once."""
    from presswork.commands.new import new_book
    from presswork.errors import PressworkError as Refused

    cwd = Path.cwd().resolve()
    try:
        written = new_book(folder)
    except Refused as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(relative_to=cwd), err=True)
        sys.exit(exc.exit_code)
    for path in written:
        click.echo(f"wrote {os.path.relpath(path, cwd)}")
    click.echo(f"next: presswork build {folder} (or presswork build, inside it)")


@cli.command(name="watch")
@manuscript_argument
@output_option
@formats_option
@jobs_option
@diagnostics_option
def watch_command(
    manuscript: Path,
    output: Path,
    formats: tuple[str, ...],
    jobs: int | None,
    diagnostics_form: str,
) -> None:
    """Build MANUSCRIPT, then build again whenever a manuscript or style file changes."""
    from rich.console import Console

    from presswork.commands.live import Live, Shown
    from presswork.commands.watch import watch_and_build  # watchfiles loads only to watch

    editions = [Edition(f) for f in formats] or list(Edition)
    check_system()
    cwd = Path.cwd().resolve()
    problems = _Problems(diagnostics_form, Live(Console(stderr=True), Shown.QUIET), cwd)
    shown_before: set[Diagnostic] = set()

    def report(outcome: Rebuild) -> None:
        what = ", ".join(os.path.relpath(p, cwd) for p in outcome.changed) or "start"
        # A warning is shown once, until it changes or goes; an error every time.
        again = 0
        for diagnostic in outcome.problems:
            if outcome.succeeded and diagnostic in shown_before:
                again += 1
            else:
                problems(diagnostic)
        shown_before.clear()
        shown_before.update(outcome.problems)
        repeated = f"; {_count(again, 'warning')} as before" if again else ""
        if outcome.succeeded:
            names = ", ".join(a.path.name for a in outcome.artifacts)
            work = outcome.work.summary()
            click.echo(f"built {names} in {outcome.seconds:.1f} s ({what}; {work}{repeated})")
        else:
            click.echo(f"not built ({what}): the last good editions are left in {output}")
        sys.stdout.flush()  # a watch is read live, often through a pipe

    click.echo(f"watching {manuscript} and the styles; Ctrl-C stops")
    sys.stdout.flush()
    watch_and_build(manuscript, output, editions, report, jobs=jobs)


@cli.command(name="check")
@manuscript_argument
@click.option("--strict", is_flag=True, help="Fail on warnings as well as errors.")
@diagnostics_option
def check_command(manuscript: Path, strict: bool, diagnostics_form: str) -> None:
    """Check MANUSCRIPT (by default this folder if it has a book.yaml, else manuscript/)
    and print every problem found."""
    from presswork.commands.check import check

    cwd = Path.cwd().resolve()
    report = check(manuscript)
    findings = report.sorted()
    if diagnostics_form == "json":
        click.echo(
            json.dumps([d.as_dict(relative_to=cwd) for d in findings], indent=2, ensure_ascii=False)
        )
    else:
        for diagnostic in findings:
            click.echo(diagnostic.format(relative_to=cwd))
        click.echo(", ".join(_count(report.count(s), s.value) for s in Severity))
    failed = report.has_errors or (strict and report.count(Severity.WARNING) > 0)
    sys.exit(1 if failed else 0)


def _validators(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[str]:
    known = validator_names()
    wanted = frozenset(n.strip().lower() for n in value.split(",") if n.strip())
    if "all" in wanted:
        return frozenset(known)
    unknown = sorted(wanted - set(known))
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}: not a validator; one of {', '.join(known)}, or all"
        )
    return wanted


@cli.command(name="verify")
@click.argument(
    "output", default="output", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
@click.option(
    "--require",
    default="",
    metavar="NAMES",
    callback=_validators,
    help="Validators that must run (comma-separated, or all): missing, they fail, "
    f"not skip. Names: {', '.join(validator_names())}.",
)
def verify_command(output: Path, as_json: bool, require: frozenset[str]) -> None:
    """Run every validator on the editions in OUTPUT (default: output/)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from presswork.release.verify import verify  # loads only to verify

    verdicts = verify(output, require)
    if as_json:
        click.echo(json.dumps([v.as_dict() for v in verdicts], indent=2, ensure_ascii=False))
    else:
        table = Table(title=Text(f"presswork verify {output}"), expand=False)
        for column in ("check", "file", "verdict", "detail"):
            table.add_column(column, overflow="fold")
        for v in verdicts:
            word = {True: "pass", False: "FAIL", None: "skipped"}[v.passed]
            table.add_row(Text(v.check), Text(v.file), Text(word), Text(v.detail))
        Console().print(table)
    if not verdicts:
        click.echo(f"no editions in {output}", err=True)
    sys.exit(1 if not verdicts or any(v.passed is False for v in verdicts) else 0)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    _main_as_a_package()
    cli()


def _main_as_a_package() -> None:
    """Name the console script's main module as ``python -m presswork`` names it. A
    process the build spawns runs its parent's main module again before any work, unless
    that is a package's ``__main__``: for the console script, that loaded the whole
    command line (click, rich, the commands) into every layout process, a sixth of a
    second of each one's start, for nothing it uses."""
    main_module = sys.modules.get("__main__")
    if main_module is not None and getattr(main_module, "__spec__", None) is None:
        main_module.__spec__ = importlib.util.find_spec("presswork.__main__")
