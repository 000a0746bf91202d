"""`presswork verify`: the release gate passes good editions and fails broken ones."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pikepdf

from presswork.pdf.trees import kids

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


def test_content_outside_the_structure_tree_fails(north_korea: Built, tmp_path: Path) -> None:
    # A paragraph that no longer claims its first line, and a page whose parent tree
    # names the wrong element for a line.
    with pikepdf.open(north_korea.pdf) as pdf:
        root = pdf.Root.StructTreeRoot
        paragraphs = [
            e
            for e in _elements(root)
            if e.S == "/P" and len(kids(e)) > 1 and isinstance(kids(e)[0], int)
        ]
        first, second = paragraphs[0], paragraphs[1]
        dropped = int(kids(first)[0])
        first.K = pikepdf.Array(kids(first)[1:])
        mcid = int(kids(second)[0])
        nums = root.ParentTree.Nums
        page = next(p for p in pdf.pages if p.objgen == second.Pg.objgen)
        index = list(nums[::2]).index(int(page.StructParents))
        nums[2 * index + 1][mcid] = first
        pdf.save(tmp_path / "untied.pdf")
    code, rows = verdicts(tmp_path)
    assert code == 1
    structure = ("tagged PDF structure", "untied.pdf")
    detail = next(r["detail"] for r in rows if (r["check"], r["file"]) == structure)
    assert f"marked content {dropped} of page" in detail and "is in no element" in detail
    assert f"the parent tree does not name the element of marked content {mcid}" in detail


def _elements(node: pikepdf.Object) -> list[pikepdf.Object]:
    found = [node] if "/S" in node else []
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _elements(kid)
    return found


def test_an_empty_folder_fails(tmp_path: Path) -> None:
    result = run_presswork("verify", tmp_path)
    assert result.returncode == 1 and "no editions" in result.stderr
