"""The tagging of a PDF WeasyPrint wrote, for a small chapter laid out in this process:
each note a /Note with its /ID (in the /IDTree) and its number a /Lbl, placed after the
paragraph that calls it; no bare /Span left, every marked-content sequence claimed by
one element that the parent tree names; the furniture's content all artifact."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pikepdf
import pytest

from presswork.layout import engine
from presswork.pdf.tags import as_artifacts, tagged
from presswork.pdf.trees import kids, name_tree, number_tree, walk
from presswork.render.html import chapter_html, furniture_html
from presswork.styles import styles_dir

from conftest import resolved, write_book

CHAPTER = """# Notes

First paragraph, calling the first note.[^a]

Second paragraph, calling the second note,[^b] and the first again.[^a]

Third paragraph, with none.

[^a]: The first note.
[^b]: The second note.
"""
DATE = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, bytes]:
    """The chapter's PDF as WeasyPrint wrote it, tagged, and its furniture's."""
    root = write_book(tmp_path_factory.mktemp("notes"), {"notes.md": CHAPTER})
    book = resolved(root)
    chapter = book.chapters[0]
    layout = engine.layout_refined(
        lambda asked: chapter_html(book, chapter, asked), root, styles_dir()
    )
    raw, _ = engine.write_pdf(layout, book.metadata.identifier, DATE)
    furniture = engine.layout_of(furniture_html(book, 1, (layout.page_count,)), root, styles_dir())
    raw_furniture, _ = engine.write_pdf(furniture, book.metadata.identifier, DATE)
    return raw, tagged(raw, layout.leaders(), pack=True), as_artifacts(raw_furniture)


def elements(pdf: Any) -> Iterator[Any]:
    for root in kids(pdf.Root.StructTreeRoot):
        if isinstance(root, pikepdf.Dictionary):
            yield from walk(root)


def test_weasyprint_alone_leaves_the_notes_as_spans(written: tuple[bytes, bytes, bytes]) -> None:
    """What the tagging is for: WeasyPrint's own PDF has no /Note (so the test below
    proves the tagging, not WeasyPrint)."""
    with pikepdf.open(io.BytesIO(written[0])) as pdf:
        kinds = [str(e.S) for e in elements(pdf)]
    assert "/Note" not in kinds and "/Span" in kinds


def test_each_note_is_a_note_with_its_id_after_the_paragraph_calling_it(
    written: tuple[bytes, bytes, bytes],
) -> None:
    with pikepdf.open(io.BytesIO(written[1])) as pdf:
        notes = [e for e in elements(pdf) if e.S == "/Note"]
        assert [str(n.ID) for n in notes] == ["notes--_note-1", "notes--_note-2"]
        tree = pdf.Root.StructTreeRoot
        listed = {str(name): value.objgen for name, value in name_tree(tree.IDTree)}
        assert listed == {str(n.ID): n.objgen for n in notes}
        for note in notes:
            labels = [e for e in walk(note) if e.S == "/Lbl"]
            assert len(labels) == 1
        # Reading order: paragraph 1, note 1, paragraph 2, note 2, paragraph 3.
        holder = notes[0].P
        assert holder.objgen == notes[1].P.objgen
        order = [
            str(k.S) + (f" {k.ID}" if "/ID" in k else "")
            for k in kids(holder)
            if isinstance(k, pikepdf.Dictionary) and k.get("/S") in ("/P", "/Note")
        ]
        assert order == [
            "/P",
            "/Note notes--_note-1",
            "/P",
            "/Note notes--_note-2",
            "/P",
        ]


def test_no_bare_span_is_left_and_every_sequence_has_one_owner(
    written: tuple[bytes, bytes, bytes],
) -> None:
    with pikepdf.open(io.BytesIO(written[1])) as pdf:
        found = list(elements(pdf))
        bare = [
            e
            for e in found
            if e.S == "/Span" and set(e.keys()) <= {"/Type", "/S", "/P", "/Pg", "/K"}
        ]
        assert bare == []
        owners: dict[tuple[int, int], Any] = {}
        for element in found:
            for item in kids(element):
                if isinstance(item, int):
                    key = (element.Pg.objgen[0], item)
                elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                    key = (item.Pg.objgen[0], int(item.MCID))
                else:
                    continue
                assert key not in owners, key
                owners[key] = element
        parents = dict(number_tree(pdf.Root.StructTreeRoot.ParentTree))
        drawn = 0
        for page in pdf.pages:
            listed = parents[int(page.StructParents)]
            for operands, _ in pikepdf.parse_content_stream(page, "BDC"):
                if isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    assert owners[(page.objgen[0], mcid)].objgen == listed[mcid].objgen
                    drawn += 1
        assert drawn == len(owners) > 0


def test_the_furniture_is_all_artifact(written: tuple[bytes, bytes, bytes]) -> None:
    with pikepdf.open(io.BytesIO(written[2])) as pdf:
        operators = [
            str(instruction.operator)
            for page in pdf.pages
            for instruction in pikepdf.parse_content_stream(page)
        ]
        assert "BDC" not in operators and operators.count("BMC") > 0
        marked = [
            instruction.operands[0]
            for page in pdf.pages
            for instruction in pikepdf.parse_content_stream(page)
            if str(instruction.operator) == "BMC"
        ]
        assert set(map(str, marked)) == {"/Artifact"}
