"""Pipe tables as the manuscript stage reads them: header and body cells, each column's
alignment, a caption typed before or after the table as pandoc types it, note calls in
cells numbered in reading order, every cell a paragraph with an id of its own."""

from __future__ import annotations

from pathlib import Path

from presswork.model import Paragraph, Table, plain_text, walk_block_tree

from conftest import resolved, write_book


def table_of(tmp_path: Path, text: str) -> tuple[Table, list[Paragraph]]:
    book = resolved(write_book(tmp_path / "t", {"a.md": f"# A\n\n{text}"}))
    (chapter,) = book.chapters
    (table,) = [b for b in chapter.blocks if isinstance(b, Table)]
    paragraphs = [b for b in chapter.blocks if isinstance(b, Paragraph)]
    return table, paragraphs


def words(paragraph: Paragraph | None) -> str:
    assert paragraph is not None
    return plain_text(paragraph.children)


def test_a_table_has_its_header_rows_and_alignments(tmp_path: Path) -> None:
    table, paragraphs = table_of(
        tmp_path,
        "Before.\n\n| Name | Count | Where |\n|:--|--:|:-:|\n| *one* | 1 | here |\n"
        "| two | 2 | there |\n\nAfter.\n",
    )
    assert [words(c) for c in table.header] == ["Name", "Count", "Where"]
    assert [[words(c) for c in row] for row in table.rows] == [
        ["one", "1", "here"],
        ["two", "2", "there"],
    ]
    assert table.aligns == ("left", "right", "center")
    assert table.caption is None
    assert [words(p) for p in paragraphs] == ["Before.", "After."]
    ids = [c.id for c in table.cells()] + [table.id]
    assert all(ids) and len(set(ids)) == len(ids)


def test_a_caption_is_the_table_paragraph_after_or_before_it(tmp_path: Path) -> None:
    table = "| A | B |\n|---|---|\n| 1 | 2 |\n"
    after, paragraphs = table_of(tmp_path / "after", f"{table}\nTable: Counted *twice*.\n")
    assert words(after.caption) == "Counted twice." and paragraphs == []
    before, _ = table_of(tmp_path / "before", f": Counted once.\n\n{table}")
    assert words(before.caption) == "Counted once."
    # A paragraph that only begins like a caption, with no table beside it, stays one.
    _, kept = table_of(tmp_path / "apart", f"{table}\nText.\n\nTable: not a caption.\n")
    assert [words(p) for p in kept] == ["Text.", "Table: not a caption."]


def test_notes_called_in_a_table_are_numbered_in_reading_order(tmp_path: Path) -> None:
    """The caption is read first (it stands above the table), then the header, then the
    rows, left to right."""
    book = resolved(
        write_book(
            tmp_path / "notes",
            {
                "a.md": "# A\n\nFirst.[^a]\n\n| H[^b] | I |\n|---|---|\n| x[^c] | y[^d] |\n\n"
                "Table: The caption.[^e]\n\nLast.[^f]\n\n"
                + "".join(f"[^{n}]: Note {n}.\n" for n in "abcdef")
            },
        )
    )
    (chapter,) = book.chapters
    assert [note.label for note in sorted(chapter.notes, key=lambda n: n.number)] == list("aebcdf")
    cells = [b for b in walk_block_tree(chapter.blocks) if isinstance(b, Paragraph)]
    assert [words(c) for c in cells] == ["First.", "The caption.", "H", "I", "x", "y", "Last."]
