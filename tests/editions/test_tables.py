"""A book with a pipe table of 61 rows, its caption, its columns aligned, a note called
from a cell: built once by the command line and read back from every edition, and put
through the release gate (EPUBCheck, Ace, pdfua, the print preflight, every word whole)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from presswork.pdf.trees import kids, walk

from conftest import BOOKS, NS, Built, run_presswork

SOURCE = BOOKS / "tables"
ROWS = [(str(2000 + i), f"{i * 3:,}", f"Province {i}") for i in range(1, 61)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    output = tmp_path_factory.mktemp("tables")
    result = run_presswork("build", SOURCE, "-o", output)
    assert result.returncode == 0, result.stderr
    return Built(output, "figures-in-tables", result, SOURCE)


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f")


def test_the_release_gate_passes(built: Built) -> None:
    result = run_presswork("verify", built.output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_row_is_in_the_pdf_in_order_with_its_header_on_every_page(built: Built) -> None:
    pages = pdf_pages(built.pdf)
    text = "\n".join(pages)
    assert "|" not in text and "---" not in text  # no raw table markup
    positions = [text.index(f"{year} ") for year, _, _ in ROWS]
    assert positions == sorted(positions)
    for year, cases, province in ROWS:
        assert re.search(rf"^\s*{year}\s+{re.escape(cases)}\s+{province}\s*$", text, re.M)
    spanned = [page for page in pages if re.search(r"^\s*20\d\d\s", page, re.M)]
    assert len(spanned) >= 2, "the table runs over a page"
    for page in spanned:
        assert re.search(r"^\s*Year\s+Cases\s+Province\s*$", page, re.M), page[:300]
    caption = text.index("Recorded cases by year and province, as reported.")
    assert caption < text.index("Year") < positions[0]


def test_notes_are_numbered_in_reading_order_the_cell_s_on_its_page(built: Built) -> None:
    pages = pdf_pages(built.pdf)
    expected = [
        ("detention centres.", "Monitoring reports"),
        ("12", "Revised from 11"),
        ("after publication.", "The revisions are listed"),
    ]
    for number, (call, note) in enumerate(expected, start=1):
        (page,) = [p for p in pages if note in p]
        assert re.search(rf"{re.escape(call)}\s*{number}\b", page), (number, page[:400])
        assert re.search(rf"^\s*{number}\s+{re.escape(note)}", page, re.M)


def test_the_pdf_tags_one_table_with_its_header_once(built: Built) -> None:
    """One Table: its caption, one header row whose cells say what they head, one body;
    the header rows repeated on later pages are artifacts. The note called from a cell
    is a Note after the table, which holds nothing but its own parts."""
    with pikepdf.open(built.pdf) as pdf:
        elements = list(walk(kids(pdf.Root.StructTreeRoot)[0]))
        (table,) = [e for e in elements if e.get("/S") == "/Table"]
        parts = [str(k.S) for k in kids(table)]
        assert parts == ["/Caption", "/THead", "/TBody"]
        headers = [e for e in walk(table) if e.get("/S") == "/TH"]
        assert len(headers) == 3
        assert all(h.A.Scope == "/Column" for h in headers)
        rows = [e for e in walk(kids(table)[2]) if e.get("/S") == "/TR"]
        assert len(rows) == len(ROWS) + 1
        parent = table.P
        siblings = [k for k in kids(parent) if isinstance(k, pikepdf.Dictionary)]
        after = siblings[[k.objgen for k in siblings].index(table.objgen) + 1]
        assert after.get("/S") == "/Note" and str(after.ID).endswith("_note-2")
        assert not any(e.get("/S") == "/Note" for e in walk(table))


def test_the_epub_has_a_semantic_table(built: Built) -> None:
    (name,) = [n for n in built.spine_documents if "figures" in n]
    document = built.xhtml(name)
    (table,) = document.iterfind(".//x:table", NS)
    caption = table.find("x:caption", NS)
    assert caption is not None
    assert " ".join("".join(caption.itertext()).split()) == (
        "Recorded cases by year and province, as reported."
    )
    assert caption.find("x:em", NS) is not None
    headers = table.findall("x:thead/x:tr/x:th", NS)
    assert ["".join(h.itertext()) for h in headers] == ["Year", "Cases", "Province"]
    assert [h.get("scope") for h in headers] == ["col"] * 3
    assert [h.get("class") for h in headers] == ["align-left", "align-right", "align-center"]
    rows = table.findall("x:tbody/x:tr", NS)
    assert len(rows) == len(ROWS) + 1
    cells = [["".join(c.itertext()).strip() for c in row.findall("x:td", NS)] for row in rows]
    assert cells[1:] == [list(row) for row in ROWS]
    call = rows[0].find(".//x:a[@epub:type='noteref']", NS)
    assert call is not None and call.text == "2"
    assert etree.QName(call.getparent()).localname == "td"
