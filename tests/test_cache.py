"""An ePub built alone takes its page numbers from the cached layout of the same input,
and a cache that is corrupt or stale is never trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import MANUSCRIPT, Built, run_presswork

CACHED = "page numbers from the cached layout"


def epub_alone(source: Path, output: Path) -> tuple[str, bytes]:
    result = run_presswork("build", source, "-o", output, "--format", "epub")
    assert result.returncode == 0, result.stderr
    return result.stdout, (output / "north-korea-2023.epub").read_bytes()


def cache_entries(output: Path) -> list[Path]:
    return sorted((output / ".presswork-cache").glob("pages-*.json"))


def test_the_epub_alone_reuses_the_layout_of_the_full_build(
    north_korea: Built, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(north_korea.output, output)
    (entry,) = cache_entries(output)
    data = json.loads(entry.read_text())
    assert data["pages"] == len(north_korea.pages)
    assert [start[0] for start in data["starts"]] == [str(n) for n in range(1, data["pages"] + 1)]
    stdout, epub = epub_alone(MANUSCRIPT, output)
    assert CACHED in stdout
    assert epub == north_korea.epub.read_bytes()


def test_a_corrupt_or_foreign_cache_is_ignored_and_replaced(
    north_korea: Built, tmp_path: Path
) -> None:
    for damage in (
        "{ not json",
        json.dumps({"format": 1, "key": "another", "pages": 1, "starts": [["1", "x", 0]]}),
    ):
        output = tmp_path / f"out-{len(damage)}"
        shutil.copytree(north_korea.output, output)
        (entry,) = cache_entries(output)
        entry.write_text(damage)
        stdout, epub = epub_alone(MANUSCRIPT, output)
        assert CACHED not in stdout
        assert epub == north_korea.epub.read_bytes()
        (rewritten,) = cache_entries(output)
        assert json.loads(rewritten.read_text())["pages"] == len(north_korea.pages)


def test_an_edit_is_laid_out_again_and_replaces_the_cache(
    north_korea: Built, tmp_path: Path
) -> None:
    source, output = tmp_path / "manuscript", tmp_path / "out"
    shutil.copytree(MANUSCRIPT, source)
    shutil.copytree(north_korea.output, output)
    chapter = source / "north-korea.md"
    chapter.write_text(chapter.read_text().replace("draconian laws", "harsh laws"))
    stdout, epub = epub_alone(source, output)
    assert CACHED not in stdout and epub != north_korea.epub.read_bytes()
    assert len(cache_entries(output)) == 1
    again, _ = epub_alone(source, output)
    assert CACHED in again
