"""Straight quotes, ``--``, ``---`` and ``...`` as the book's language sets them: each
language's quotation marks (the expected characters are its printers' conventions,
typed here by hand), apostrophes, dashes and ellipses; never in code, an address or an
escaped character; a warning, naming the characters to choose from, only where the
intent cannot be told."""

from __future__ import annotations

from pathlib import Path

import pytest

from presswork.manuscript import lint, typography
from presswork.manuscript.load import load
from presswork.manuscript.memo import Memo
from presswork.model import Paragraph, plain_text, walk_block_tree
from presswork.styles import styles_dir

from conftest import write_book

NNBSP = "\u202f"  # narrow no-break space
TEXT = "She said \"it's 'fine' -- or was --- in the students' view...\""

CASES = [
    ("en-GB", "She said “it’s ‘fine’ – or was — in the students’ view…”"),
    ("en-US", "She said “it’s ‘fine’ – or was — in the students’ view…”"),
    ("fr-FR", f"She said «{NNBSP}it’s “fine” – or was — in the students’ view…{NNBSP}»"),
    ("de", "She said „it’s ‚fine‘ – or was — in the students’ view…“"),
    ("sw", "She said “it’s ‘fine’ – or was — in the students’ view…”"),  # not listed
]


def read(
    tmp_path: Path, language: str, body: str
) -> tuple[list[str], list[tuple[str, int, int | None]]]:
    root = write_book(
        tmp_path / language,
        {"a.md": f"# A\n\n{body}\n"},
        f"title: T\nlanguage: {language}\nchapters:\n  - a.md\n",
    )
    loaded = load(root, None)
    assert loaded.book is not None
    (chapter,) = loaded.book.chapters
    texts = [
        plain_text(b.children) for b in walk_block_tree(chapter.blocks) if isinstance(b, Paragraph)
    ]
    found = [(d.code, d.line or 0, d.col) for d in loaded.report.sorted()]
    return texts, found


@pytest.mark.parametrize("language,expected", CASES, ids=[c[0] for c in CASES])
def test_quotes_dashes_and_ellipses_follow_the_language(
    tmp_path: Path, language: str, expected: str
) -> None:
    texts, found = read(tmp_path, language, TEXT)
    assert texts == [expected]
    assert found == []


def test_code_addresses_and_escapes_are_left_as_typed(tmp_path: Path) -> None:
    texts, found = read(
        tmp_path,
        "en-GB",
        'Run `say "hi" -- now...` at <https://example.org/a--b>. \\"Kept\\" \\-\\- too.',
    )
    assert texts == ['Run say "hi" -- now... at https://example.org/a--b. "Kept" -- too.']
    assert found == []


def test_a_quote_whose_intent_cannot_be_told_is_a_warning_naming_the_choices(
    tmp_path: Path,
) -> None:
    texts, found = read(tmp_path, "fr-FR", "Les années '90. Il a dit \"jamais.")
    assert texts == ["Les années '90. Il a dit \"jamais."]
    assert found == [("PW702", 3, 12), ("PW702", 3, 26)]
    root = tmp_path / "fr-FR"
    messages = [d.message for d in load(root, None).report.sorted()]
    assert "’" in messages[0] and "«" in messages[1] and "»" in messages[1]


def test_a_chapter_is_read_again_when_the_book_s_language_changes() -> None:
    path, root = Path("/m/a.md"), Path("/m")
    keys = {Memo.chapter_key(path, root, "a.md", b"# A\n", lang) for lang in ("en-GB", "fr")}
    assert len(keys) == 2


def test_the_shipped_typefaces_draw_every_character_set_for_any_language() -> None:
    covered = lint.shipped_characters(styles_dir())
    missing = {c for c in typography.characters() if ord(c) not in covered}
    assert missing == set()
