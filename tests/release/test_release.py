"""Releases that anyone can rebuild byte for byte and check against SHA256SUMS."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from conftest import MANUSCRIPT, Built, run_presswork

EDITIONS = ("north-korea-2023.pdf", "north-korea-2023-print.pdf", "north-korea-2023.epub")


def release(source: Path, output: Path, **env: str) -> dict[str, bytes]:
    result = run_presswork("build", source, "-o", output, "--release", env=env)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted(output.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], ...]:
    first = release(
        MANUSCRIPT, tmp_path_factory.mktemp("first"), TZ="UTC", LC_ALL="C", PYTHONHASHSEED="1"
    )
    time.sleep(1.1)
    second = release(
        MANUSCRIPT,
        tmp_path_factory.mktemp("second") / "deeper" / "out",
        TZ="Pacific/Kiritimati",
        LC_ALL="C.UTF-8",
        PYTHONHASHSEED="4242",
    )
    return first, second


def test_two_builds_give_the_same_bytes(two_releases: tuple[dict[str, bytes], ...]) -> None:
    first, second = two_releases
    assert sorted(first) == sorted([*EDITIONS, "SHA256SUMS", "build-record.json"])
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"


def test_checksums_and_record_describe_the_editions(
    two_releases: tuple[dict[str, bytes], ...], tmp_path: Path
) -> None:
    files, _ = two_releases
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert sorted(line.split()[0] for line in check.stdout.splitlines()) == sorted(
        f"{name}:" for name in EDITIONS
    )
    record = json.loads(files["build-record.json"])
    assert record["tools"]["weasyprint"] and record["tools"]["pango"].count(".") == 2
    assert {e["file"] for e in record["editions"]} == set(EDITIONS)
    for entry in record["editions"]:
        assert entry["size"] == len(files[entry["file"]])
        assert entry["pages"] == len(pikepdf.open(tmp_path / EDITIONS[0]).pages)
    git_commit = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", "."],
        cwd=MANUSCRIPT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if git_commit:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=MANUSCRIPT, capture_output=True, text=True
        ).stdout.strip()
        assert record["source"]["commit"] == head
        assert record["source"]["date_from"] == "git commit"


def copy_manuscript(tmp_path: Path) -> Path:
    target = tmp_path / "manuscript"
    shutil.copytree(MANUSCRIPT, target)
    return target


def test_one_word_changes_every_edition(tmp_path: Path) -> None:
    source = copy_manuscript(tmp_path)
    before = release(source, tmp_path / "before", SOURCE_DATE_EPOCH="1700000000")
    chapter = source / "north-korea.md"
    chapter.write_text(chapter.read_text().replace("draconian laws", "harsh laws"))
    after = release(source, tmp_path / "after", SOURCE_DATE_EPOCH="1700000000")
    for name in EDITIONS:
        assert before[name] != after[name], f"{name} did not change"


def test_source_date_epoch_is_the_date_in_every_edition(tmp_path: Path) -> None:
    epoch = 1700000000
    files = release(copy_manuscript(tmp_path), tmp_path / "out", SOURCE_DATE_EPOCH=str(epoch))
    stamp = datetime.fromtimestamp(epoch, UTC)
    with pikepdf.open(tmp_path / "out" / EDITIONS[0]) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith(stamp.strftime("D:%Y%m%d%H%M%S"))
    opf = [n for n in files if n.endswith(".epub")]
    with zipfile.ZipFile(tmp_path / "out" / opf[0]) as archive:
        package = archive.read("EPUB/content.opf").decode()
        assert stamp.strftime("%Y-%m-%dT%H:%M:%SZ") in package
        assert {i.date_time for i in archive.infolist()} == {stamp.timetuple()[:6]}
    record = json.loads(files["build-record.json"])
    assert record["source"]["date_from"] == "SOURCE_DATE_EPOCH"


def test_a_manuscript_with_uncommitted_changes_is_flagged(tmp_path: Path) -> None:
    source = copy_manuscript(tmp_path)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
        "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
    }
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "manuscript"]):
        subprocess.run([*git, *command], cwd=source, check=True, env=env)
    clean = run_presswork("build", source, "-o", tmp_path / "clean", "--release")
    assert clean.returncode == 0 and "PW110" not in clean.stderr
    record = json.loads((tmp_path / "clean" / "build-record.json").read_text())
    assert record["source"]["date"] == "2024-01-02T03:04:05Z"
    assert record["source"]["uncommitted_changes"] is False
    (source / "north-korea.md").write_text((source / "north-korea.md").read_text() + "\n")
    dirty = run_presswork("build", source, "-o", tmp_path / "dirty", "--release")
    assert dirty.returncode == 0
    assert "PW110 warning" in dirty.stderr
    record = json.loads((tmp_path / "dirty" / "build-record.json").read_text())
    assert record["source"]["uncommitted_changes"] is True


def test_a_release_into_an_unwritable_place_fails_cleanly(
    tmp_path: Path, north_korea: Built
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_presswork("build", MANUSCRIPT, "-o", blocker / "out", "--release")
    assert result.returncode == 3 and "PW902" in result.stderr
    assert "Traceback" not in result.stderr


def test_versions_are_read_without_the_metadata_reader() -> None:
    """A build's processes learn the versions that key the layout cache without
    importing importlib.metadata (a twentieth of a second in each), and the versions are
    those the installed metadata gives."""
    import importlib.metadata
    import sys

    from presswork import __version__
    from presswork.versions import installed_version

    for distribution in ("weasyprint", "pikepdf", "jinja2"):
        assert installed_version(distribution) == importlib.metadata.version(distribution)
    assert __version__ == importlib.metadata.version("presswork")
    script = (
        "import sys, presswork.cli, presswork.commands.build, presswork.layout.workers;"
        "from presswork import cache; from presswork.styles import styles_dir;"
        "cache.environment_key(styles_dir());"
        "print('importlib.metadata' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
