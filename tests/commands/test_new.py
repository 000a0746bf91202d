"""`presswork new` begins a book that builds at once, and `presswork build` run inside a
manuscript folder builds it; installed from a wheel with its dependencies in a fresh
virtualenv, outside the repository, the two work as they do here."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from presswork.config.manifest import KEYS

from conftest import ROOT, run_presswork


def test_new_writes_a_book_with_every_key_that_builds_from_inside_it(tmp_path: Path) -> None:
    folder = tmp_path / "my-book"
    made = run_presswork("new", folder)
    assert made.returncode == 0, made.stderr
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == ["book.yaml", "chart.svg", "first-chapter.md", "styles/book.css"]
    manifest = (folder / "book.yaml").read_text(encoding="utf-8")
    keys = set(re.findall(r"^#? ?([a-z_]+):", manifest, re.M))
    assert keys >= set(KEYS), set(KEYS) - keys  # every key, commented or not
    chapter = (folder / "first-chapter.md").read_text(encoding="utf-8")
    for construct in ("[^source]", "^[", "| Year |", "Table:", "![", "\n:   "):
        assert construct in chapter, construct
    built = run_presswork("build", cwd=folder)  # no folder named: this one
    assert built.returncode == 0, built.stderr
    assert {p.name for p in (folder / "output").iterdir() if p.is_file()} == {
        "my-report.pdf",
        "my-report-print.pdf",
        "my-report.epub",
    }
    assert "PW" not in built.stderr  # no finding at all


def test_new_refuses_a_folder_with_anything_in_it(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run_presswork("new", tmp_path)
    assert refused.returncode == 3
    assert "PW907" in refused.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_build_outside_a_manuscript_folder_looks_for_manuscript(tmp_path: Path) -> None:
    result = run_presswork("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "manuscript" in result.stderr and "PW107" in result.stderr


def pip(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with a wheel of this tree installed as a user installs it:
    its dependencies resolved from the wheel's ranges, at the versions of
    constraints.txt, and nothing in conflict (``pip check``)."""
    root = tmp_path_factory.mktemp("wheel")
    built = pip("wheel", "--no-deps", "-q", "-w", root, ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = root.glob("presswork-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.namelist()
    assert "presswork/styles/pdf.css" in shipped
    assert "presswork/commands/starter/book.yaml" in shipped
    assert "presswork/system.toml" in shipped
    assert "presswork/constraints.txt" in shipped
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in shipped), shipped
    env = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    # This environment's pip installs into the new one: one install, with the lock.
    installed = pip("--python", python, "install", "-q", "-c", ROOT / "constraints.txt", wheel)
    assert installed.returncode == 0, installed.stderr
    checked = pip("--python", python, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return python


def test_a_wheel_begins_and_builds_a_book_outside_the_repository(
    wheel_env: Path, tmp_path: Path
) -> None:
    where = subprocess.run(
        [str(wheel_env), "-c", "import presswork; print(presswork.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert not where.startswith(str(ROOT)), where  # the wheel's copy, not the tree's
    for command in (["new", "x"], ["build", "x", "-o", "x-out"]):
        result = subprocess.run(
            [str(wheel_env), "-m", "presswork", *command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "x-out" / "my-report.pdf").stat().st_size > 10_000
    assert (tmp_path / "x-out" / "my-report.epub").stat().st_size > 10_000
