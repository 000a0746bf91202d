"""Where the PDF splits a note too long for a page's notes area into the lead at the foot
of its page and the rest after its chapter: in-process, on notes read from Markdown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from presswork.model import Emphasis, Note, Paragraph, plain_text, walk_inlines
from presswork.transforms import words
from presswork.transforms.long_notes import Continued, continued

from conftest import resolved


def note_of(make_book: Callable[..., Path], text: str) -> Note:
    root = make_book({"a.md": f"# A\n\nA call.[^n]\n\n[^n]: {text}\n"})
    (note,) = resolved(root).chapters[0].notes
    return note


def texts(split: Continued) -> tuple[list[str], list[str]]:
    lead = [plain_text(b.children) for b in split.lead if isinstance(b, Paragraph)]
    rest = [plain_text(p.block.children) for p in split.rest if isinstance(p.block, Paragraph)]
    return lead, rest


def all_words(note: Note, split: Continued) -> None:
    """Lead and rest together are the note's words, each once, in order."""
    lead, rest = texts(split)
    original = " ".join(plain_text(b.children) for b in note.children if isinstance(b, Paragraph))
    assert " ".join(lead + rest).split() == original.split()


def test_a_note_within_the_length_is_set_whole(make_book: Callable[..., Path]) -> None:
    note = note_of(make_book, "A short note. " * 10)
    assert continued(note, over=200, lead=100) is None
    assert continued(note, over=100, lead=50) is not None


def test_the_lead_ends_at_a_sentence_in_its_second_half(make_book: Callable[..., Path]) -> None:
    text = "One two three four five. Six seven eight nine ten. " * 8
    note = note_of(make_book, text.strip())
    split = continued(note, over=100, lead=120)
    assert split is not None
    (lead,), rest = texts(split)
    assert lead.endswith("ten.") and 60 <= len(lead) <= 120, lead
    assert split.rest[0].paragraph == 1 and split.rest[0].word == len(lead.split())
    assert rest[0].startswith("One two")
    all_words(note, split)


def test_without_a_sentence_end_the_lead_ends_at_the_last_space(
    make_book: Callable[..., Path],
) -> None:
    note = note_of(make_book, " ".join(f"w{i}" for i in range(200)))
    split = continued(note, over=100, lead=50)
    assert split is not None
    (lead,), _ = texts(split)
    assert 45 <= len(lead) <= 50, lead
    all_words(note, split)


def test_the_lead_ends_at_a_paragraph_end_when_that_is_long_enough(
    make_book: Callable[..., Path],
) -> None:
    first = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu."  # 68
    second = " ".join(f"nu{i}" for i in range(80))
    note = note_of(make_book, f"{first}\n\n    {second}\n\n    The end.")
    split = continued(note, over=100, lead=100)
    assert split is not None
    lead, rest = texts(split)
    assert lead == [first]
    assert [(p.paragraph, p.word) for p in split.rest] == [(2, 0), (3, 0)]
    assert rest == [second, "The end."]
    # Below half the lead, the second paragraph is split instead.
    split = continued(note, over=100, lead=200)
    assert split is not None
    assert len(split.lead) == 2 and split.rest[0].paragraph == 2
    assert split.rest[0].word == words.count(split.lead[1].children)  # type: ignore[union-attr]
    all_words(note, split)


def test_emphasis_and_links_are_closed_and_opened_again(make_book: Callable[..., Path]) -> None:
    emphasised = " ".join(f"e{i}" for i in range(40))
    text = f"Plain words here *{emphasised}* and [a link](https://example.org) end."
    note = note_of(make_book, text)
    split = continued(note, over=50, lead=60)
    assert split is not None
    head = split.lead[0]
    tail = split.rest[0].block
    assert isinstance(head, Paragraph) and isinstance(tail, Paragraph)
    assert isinstance(head.children[-1], Emphasis) and isinstance(tail.children[0], Emphasis)
    assert any(n.kind == "link" for n in walk_inlines(tail.children))
    all_words(note, split)
