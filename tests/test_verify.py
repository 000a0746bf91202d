"""`presswork verify`: the release gate passes good editions and fails broken ones."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pikepdf

from conftest import Built, run_presswork


def verdicts(folder: Path) -> tuple[int, list[dict[str, object]]]:
    result = run_presswork("verify", folder, "--json")
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_north_korea_editions_pass(north_korea: Built) -> None:
    code, rows = verdicts(north_korea.output)
    assert code == 0, rows
    checks = {(row["check"], row["file"]) for row in rows}
    assert ("EPUBCheck", "north-korea-2023.epub") in checks
    assert ("qpdf --check", "north-korea-2023-print.pdf") in checks
    assert ("tagged PDF structure", "north-korea-2023.pdf") in checks
    assert all(row["passed"] is not False for row in rows)


def test_broken_editions_fail(north_korea: Built, tmp_path: Path) -> None:
    # An ePub whose chapter is gone, and a PDF with no structure tree.
    with (
        zipfile.ZipFile(north_korea.epub) as source,
        zipfile.ZipFile(tmp_path / "broken.epub", "w") as target,
    ):
        for info in source.infolist():
            if not info.filename.endswith("north-korea.xhtml"):
                target.writestr(info, source.read(info))
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(tmp_path / "untagged.pdf")
    shutil.copy(north_korea.print_pdf, tmp_path / "good-print.pdf")
    code, rows = verdicts(tmp_path)
    assert code == 1
    failed = {(row["check"], row["file"]) for row in rows if row["passed"] is False}
    assert ("EPUBCheck", "broken.epub") in failed
    assert ("tagged PDF structure", "untagged.pdf") in failed
    assert not any(file == "good-print.pdf" for _, file in failed)


def test_an_empty_folder_fails(tmp_path: Path) -> None:
    result = run_presswork("verify", tmp_path)
    assert result.returncode == 1 and "no editions" in result.stderr
