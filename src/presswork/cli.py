"""The command line: parse arguments, call the build, report. No logic of its own.

In: ``argv``. Out: editions written by :func:`presswork.build.build`, progress on
stderr, a one-line summary on stdout, and an exit status: 0 on success, 1 for a problem
in the manuscript, 2 for a usage error, 3 when an edition could not be written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from presswork import __version__
from presswork.build import Artifact, Edition, build
from presswork.errors import PressworkError


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _describe(artifact: Artifact, cwd: Path) -> str:
    try:
        shown = artifact.path.resolve().relative_to(cwd)
    except ValueError:
        shown = artifact.path
    pages = f", {artifact.pages} pages" if artifact.pages is not None else ""
    return f"{shown} ({_size(artifact.size)}{pages})"


@click.group()
@click.version_option(__version__, prog_name="presswork")
def cli() -> None:
    """Typeset a semantic Markdown manuscript into a screen PDF, a print PDF and an ePub."""


@cli.command(name="build")
@click.argument(
    "manuscript", default="manuscript", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the editions are written to.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice([e.value for e in Edition]),
    help="Edition to build (repeatable); default: all.",
)
def build_command(manuscript: Path, output: Path, formats: tuple[str, ...]) -> None:
    """Build the editions of MANUSCRIPT (default: manuscript/) into OUTPUT."""
    editions = [Edition(f) for f in formats] or list(Edition)
    console = Console(stderr=True)
    cwd = Path.cwd().resolve()
    try:
        with console.status("building", spinner="dots") as status:
            artifacts = build(
                manuscript,
                output,
                editions,
                progress=lambda step: status.update(step),
                warn=lambda d: click.echo(d.format(relative_to=cwd), err=True),
            )
    except PressworkError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(relative_to=cwd), err=True)
        sys.exit(exc.exit_code)
    click.echo("wrote " + ", ".join(_describe(a, cwd) for a in artifacts))


def main() -> None:
    cli()
