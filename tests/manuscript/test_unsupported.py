"""Markdown that authors know, from the CommonMark and GFM specs and pandoc's manual:
each construct is either read (and no trace of its markup is left in the text) or
refused with PW603 (or the code of its own rule) at its file, line and column. None is
ever passed through as raw markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from presswork.manuscript.load import load
from presswork.model import (
    DefinitionList,
    Heading,
    Strikethrough,
    Table,
    plain_text,
    walk_block_tree,
    walk_inlines,
)
from presswork.model import Paragraph as P

from conftest import write_book

# (name, Markdown, the code of the finding, the text its column points at)
REFUSED = [
    ("GFM task list", "- [ ] to do\n- [x] done", "PW603", "[ ]"),
    ("pandoc bracketed span", "A [word]{.smallcaps} here.", "PW603", "{.smallcaps}"),
    ("pandoc link attributes", "A [link](https://example.org){target=_blank}.", "PW603", "{"),
    ("pandoc raw attribute", "Code `<b>`{=html} here.", "PW603", "{=html}"),
    ("pandoc attributes on a paragraph", "A paragraph. {#p .lead}", "PW603", "{#p .lead}"),
    ("pandoc subscript", "Water is H~2~O.", "PW603", "~2~"),
    ("pandoc superscript", "It is 2^10^ bytes.", "PW603", "^10^"),
    ("pandoc citation", "As shown [@doe99, p. 33].", "PW603", "[@doe99"),
    ("pandoc TeX math", "The area is $x^2$ here.", "PW603", "$x^2$"),
    ("strikethrough left open", "It ~~ was ~~ here.", "PW603", "~~"),
    ("inline note left open", "A call.^[never closed", "PW603", "^["),
    ("pipe table without a delimiter row", "| a | b |\n| c | d |", "PW603", "| a | b |"),
    ("delimiter row without a header", "---|---\n1 | 2", "PW603", "---|---"),
    ("pandoc grid table", "+---+---+\n| a | b |\n+---+---+", "PW603", "+---+---+"),
    ("pandoc line block", "| The limerick\n| goes on", "PW603", "| The limerick"),
    ("pandoc example list", "(@) First example.", "PW603", "(@)"),
    ("unknown heading class", "## Head {.smallcaps}", "PW603", ".smallcaps"),
    ("heading key=value attribute", "## Head {lang=fr}", "PW603", "lang=fr"),
    ("pandoc fenced div with attributes", "::: {.warning}\nText.\n:::", "PW602", None),
    ("raw HTML", "Some <b>bold</b>.", "PW601", "<b>"),
    ("note call in a heading", "## Head[^n]\n\n[^n]: A note.", "PW305", "[^n]"),
    ("inline note in a note", "Text.[^n]\n\n[^n]: A note.^[Nested.]", "PW306", "^["),
]

# (name, Markdown, what the resolved chapter's text reads)
READ = [
    ("GFM strikethrough", "It ~~was~~ is.", "It was is."),
    ("pandoc inline note", "A call.^[The note.] After.", "A call. After."),
    ("pandoc definition list", "Term\n:   Its definition.", "Term Its definition."),
    ("heading attributes", "## Head {#head .unnumbered .unlisted}\n\nText.", "Head Text."),
    ("pandoc's {-}", "## Head {-}\n\nText.", "Head Text."),
    ("GFM pipe table", "| A | B |\n|---|--:|\n| 1 | 2 |", "A B 1 2"),
    (
        "escaped markup",
        "Not \\~\\~struck\\~\\~, \\{.class}, \\^[x] or \\$x\\$.",
        "Not ~~struck~~, {.class}, ^[x] or $x$.",
    ),
    ("money, not math", "It cost $5 and $6 million.", "It cost $5 and $6 million."),
    ("a tilde for 'about'", "About ~5 people.", "About ~5 people."),
    ("CommonMark autolink", "See <https://example.org>.", "See https://example.org."),
    ("entity", "Fish &amp; chips.", "Fish & chips."),
    ("braces in prose", "The set {a, b} is small.", "The set {a, b} is small."),
]


def findings(tmp_path: Path, body: str) -> list[tuple[str, int | None, int | None]]:
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{body}\n"})
    loaded = load(root, None)
    return [(d.code, d.line, d.col) for d in loaded.report.sorted() if d.code.startswith("PW")]


@pytest.mark.parametrize("name,markdown,code,typed", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_construct_not_read_is_refused_where_it_was_typed(
    tmp_path: Path, name: str, markdown: str, code: str, typed: str | None
) -> None:
    found = findings(tmp_path, markdown)
    lines = markdown.splitlines()
    line = next((i for i, text in enumerate(lines) if typed and typed in text), 0)
    expected_col = lines[line].index(typed) + 1 if typed else None
    matching = [f for f in found if f[0] == code and f[1] == line + 3]
    assert matching, f"{name}: expected {code} on line {line + 3}, got {found}"
    if expected_col is not None:
        assert matching[0][2] == expected_col, (name, found)


def chapter_text(tmp_path: Path, body: str) -> tuple[str, list[object]]:
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{body}\n"})
    loaded = load(root, None)
    assert not loaded.report.has_errors, loaded.report.sorted()
    assert loaded.book is not None
    (chapter,) = loaded.book.chapters
    words = []
    for block in walk_block_tree(chapter.blocks):
        if isinstance(block, P | Heading):
            words.append(plain_text(block.children))
    return " ".join(words), list(walk_block_tree(chapter.blocks))


@pytest.mark.parametrize("name,markdown,text", READ, ids=[r[0] for r in READ])
def test_a_construct_read_leaves_no_markup_in_the_text(
    tmp_path: Path, name: str, markdown: str, text: str
) -> None:
    words, _ = chapter_text(tmp_path, markdown)
    assert words == text


def test_what_each_construct_is_read_as(tmp_path: Path) -> None:
    _, blocks = chapter_text(
        tmp_path,
        "## Kept out {#out .unlisted}\n\nIt ~~was~~ is.^[A note.]\n\n"
        "Term\n:   One.\n\n    Two.\n\n:   Another.\n\n| A |\n|---|\n| 1 |",
    )
    (heading,) = [b for b in blocks if isinstance(b, Heading)]
    assert heading.id == "out" and not heading.listed
    struck = [
        node
        for b in blocks
        if isinstance(b, P)
        for node in walk_inlines(b.children)
        if isinstance(node, Strikethrough)
    ]
    assert [plain_text(s.children) for s in struck] == ["was"]
    (definitions,) = [b for b in blocks if isinstance(b, DefinitionList)]
    (entry,) = definitions.items
    assert plain_text(entry.term.children) == "Term"
    assert [[plain_text(p.children) for p in d if isinstance(p, P)] for d in entry.definitions] == [
        ["One.", "Two."],
        ["Another."],
    ]
    assert any(isinstance(b, Table) for b in blocks)
