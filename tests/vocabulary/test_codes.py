"""The diagnostic codes: one table (presswork.codes) that decides each code's severity,
that docs/diagnostics.md shows, and that names every code the source reports."""

from __future__ import annotations

import re

from presswork.codes import CODES

from conftest import ROOT

DOC = ROOT / "docs" / "diagnostics.md"


def table() -> str:
    rows = ["| code | severity | what | example that triggers it |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{c.code}` | {c.severity.value} | {c.title} | {c.example} |" for c in CODES.values()
    ]
    return "\n".join(rows)


def test_the_documented_table_is_the_table_of_codes() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- codes: [^>]*-->\n(.*?)\n<!-- /codes -->", text, re.S)
    assert found is not None, "docs/diagnostics.md has no table of codes"
    assert found[1] == table(), "docs/diagnostics.md's table differs; it should read:\n" + table()


def test_every_code_reported_is_in_the_table_and_every_code_is_reported() -> None:
    used: set[str] = set()
    for path in (ROOT / "src" / "presswork").rglob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r'"(PW\d{3})"', path.read_text(encoding="utf-8")))
    assert used - set(CODES) == set()
    assert set(CODES) - used == set()


def test_codes_are_in_order_and_grouped_by_their_hundreds() -> None:
    codes = list(CODES)
    assert codes == sorted(codes)
    assert all(re.fullmatch(r"PW[1-9]\d\d", code) for code in codes)
