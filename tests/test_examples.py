"""The shell examples of README.md and docs/ run as written.

Each document's ``sh`` blocks are run in order in one bash, as a reader who follows the
document types them, in a folder of their own (where ``.venv/bin/presswork`` is this
checkout's command and ``presswork`` is on the PATH). Lines that install software or set
the checkout up are not run here: each is listed below with where it is proven, and a
line of that kind that the list does not know fails the test, so no new example goes
unrun unnoticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)

# Lines that are not run here, and where what they do is proven.
NOT_RUN = {
    r"scripts/(build|test)\b": "the checkout's own scripts: CI runs them (.ci/run)",
    r"sudo (apt-get|dnf) install ": "the packages: tests/vocabulary/test_system.py",
    r"brew install ": "the packages: tests/vocabulary/test_system.py",
    r"pipx? install ": "a wheel in a fresh virtualenv: tests/commands/test_new.py",
}
# Completion scripts are loaded by the shell they are for, where it is installed.
COMPLETION = re.compile(r"_PRESSWORK_COMPLETE=(\w+)_source")


@dataclass(frozen=True)
class Example:
    document: Path
    script: str
    left_out: tuple[str, ...]
    other_shells: tuple[tuple[str, str], ...]


def example(document: Path) -> Example:
    """The runnable script of a document's ``sh`` blocks, the lines left out of it, and
    the completion lines for shells other than bash."""
    kept: list[str] = []
    left_out: list[str] = []
    other_shells: list[tuple[str, str]] = []
    for block in FENCE.findall(document.read_text(encoding="utf-8")):
        in_heredoc: str | None = None
        for line in block.splitlines():
            if in_heredoc is not None:
                kept.append(line)
                if line == in_heredoc:
                    in_heredoc = None
                continue
            if any(re.match(pattern, line) for pattern in NOT_RUN):
                left_out.append(line)
                continue
            shell = COMPLETION.search(line)
            if shell and shell.group(1) != "bash":
                other_shells.append((shell.group(1), line))
                continue
            heredoc = re.search(r"<<'(\w+)'", line)
            if heredoc:
                in_heredoc = heredoc.group(1)
            kept.append(line)
    return Example(document, "\n".join(kept), tuple(left_out), tuple(other_shells))


EXAMPLES = [e for e in map(example, DOCUMENTS) if e.script.strip() or e.left_out]


def test_the_documents_have_examples_to_run() -> None:
    names = {e.document.name for e in EXAMPLES if e.script.strip()}
    assert {"README.md", "commands.md"} <= names


def test_every_line_left_out_is_a_known_kind() -> None:
    """The set-up lines left out are exactly those the documents hold: a pattern that
    matches nothing any more is stale and goes."""
    used = {p for e in EXAMPLES for line in e.left_out for p in NOT_RUN if re.match(p, line)}
    assert used == set(NOT_RUN)


def a_reader(tmp_path: Path) -> dict[str, str]:
    """A folder as a reader's: ``.venv/bin/presswork`` and ``presswork`` are this
    checkout's command; the environment is a terminal user's."""
    command = Path(sys.executable).parent / "presswork"
    bin_folder = tmp_path / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    (bin_folder / "presswork").symlink_to(command)
    return {
        **os.environ,
        "PATH": f"{command.parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
    }


@pytest.mark.parametrize("run", EXAMPLES, ids=lambda e: e.document.name)
def test_the_examples_run_as_written(run: Example, tmp_path: Path) -> None:
    if not run.script.strip():
        pytest.skip(f"{run.document.name} has only set-up lines")
    environment = a_reader(tmp_path)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", run.script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{run.script}\n--- stdout\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_loads_in_each_shell_documented(shell: str, tmp_path: Path) -> None:
    lines = [line for e in EXAMPLES for name, line in e.other_shells if name == shell]
    assert lines, f"docs/commands.md shows no completion for {shell}"
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    line = lines[0].split("#")[0].strip()
    script = {
        "zsh": f"autoload -Uz compinit && compinit -u && {line} && (( $+_comps[presswork] ))",
        "fish": f"{line}; and complete --do-complete 'presswork bu'",
    }[shell]
    result = subprocess.run(
        [shell, "-c", script],
        cwd=tmp_path,
        env=a_reader(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if shell == "fish":
        assert "build" in result.stdout
