"""Where the PDF continues a note too long for one page's notes area.

In: a note and two lengths of ``production.toml`` (:class:`~presswork.styles.Production`).
Out: ``None`` for a note no longer than ``over`` characters, which the PDF sets whole at
the foot of its page; otherwise a :class:`Continued`: its *lead*, the paragraphs that
stay at the foot of the page (at most ``lead`` characters, ending at a paragraph's end,
a sentence's or a space), and its *rest*, every paragraph or part of one after the lead,
which the PDF sets after the last paragraph of the chapter. Not a single word is left
out or repeated: the lead and the rest together are the note.

WeasyPrint sets a note (a footnote float) whole on one page or not at all, so a longer
note cannot run on into the notes area of the next page as it would in a hand-set book.
The ePub, which has no pages, keeps every note whole; its page markers follow the PDF's
pages into the rest of a note (:mod:`presswork.transforms.page_breaks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from presswork.model import (
    Block,
    Code,
    HardBreak,
    Inline,
    Note,
    Paragraph,
    SoftBreak,
    Text,
    Wrapper,
    note_characters,
    plain_text,
)
from presswork.transforms import words

_SPACE = re.compile(r"\s+")
# A sentence ends before a space after one of these, closing quotes and brackets aside.
_SENTENCE_END = re.compile(r"[.!?;:][\"'”’)\]]*$")


@dataclass(frozen=True)
class Part:
    """A paragraph of a note's rest: all of the note's paragraph ``paragraph`` (from 1),
    or, where the lead ends inside it, what follows its first ``word`` words."""

    paragraph: int
    word: int
    block: Block


@dataclass(frozen=True)
class Continued:
    lead: tuple[Block, ...]
    rest: tuple[Part, ...]


def continued(note: Note, over: int, lead: int) -> Continued | None:
    """How the PDF sets ``note``: whole (``None``), or in a lead and a rest."""
    if note_characters(note) <= over:
        return None
    kept: list[Block] = []
    used = 0
    for index, block in enumerate(note.children):
        length = _length(block)
        if used + length <= lead:
            kept.append(block)
            used += length + 1
            continue
        rest = [Part(i + 1, 0, b) for i, b in enumerate(note.children[index + 1 :], index + 1)]
        split = _split_point(block, lead - used) if isinstance(block, Paragraph) else None
        if split is None or (kept and used >= lead // 2):
            # The lead ends with the paragraph before: a paragraph's end is the better
            # place, where the lead is at least half as long as it may be.
            if not kept:  # a note that opens with a block too long to split: keep it
                return Continued((block,), tuple(rest)) if rest else None
            return Continued(tuple(kept), (Part(index + 1, 0, block), *rest))
        assert isinstance(block, Paragraph)
        head, tail = _split(block.children, split)
        kept.append(replace(block, children=head))
        first = Part(index + 1, words.count(head), replace(block, children=tail))
        return Continued(tuple(kept), (first, *rest))
    return None


def _length(block: Block) -> int:
    return len(plain_text(block.children)) if isinstance(block, Paragraph) else 0


def _split_point(paragraph: Paragraph, budget: int) -> int | None:
    """Where in the paragraph's text (an offset of :func:`~presswork.model.plain_text`,
    at a space of its plain text, not of code) the lead best ends within ``budget``
    characters: at the last sentence's end in its second half, or else at the last
    space. ``None`` where no space falls within the budget."""
    text = plain_text(paragraph.children)
    spaces = [at for at in _spaces(paragraph.children, 0) if 0 < at <= budget]
    if not spaces:
        return None
    sentences = [at for at in spaces if at >= budget // 2 and _SENTENCE_END.search(text[:at])]
    return (sentences or spaces)[-1]


def _spaces(children: tuple[Inline, ...], start: int) -> list[int]:
    """The offsets, in the plain text, of the spaces of the content's text nodes."""
    found: list[int] = []
    at = start
    for node in children:
        if isinstance(node, Text):
            found += [at + m.start() for m in _SPACE.finditer(node.text)]
            at += len(node.text)
        elif isinstance(node, Wrapper):
            found += _spaces(node.children, at)
            at += len(plain_text(node.children))
        elif isinstance(node, Code):
            at += len(node.text)
        elif isinstance(node, SoftBreak | HardBreak):
            at += 1
    return found


def _split(children: tuple[Inline, ...], at: int) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """The content before and after the space at plain-text offset ``at``; the spaces
    there are dropped, emphasis and links around it are closed and opened again."""
    head: list[Inline] = []
    tail: list[Inline] = []
    offset = 0
    for index, node in enumerate(children):
        length = len(plain_text((node,)))
        if offset + length <= at or (length == 0 and offset <= at):
            head.append(node)
            offset += length
            continue
        if isinstance(node, Text):
            cut = at - offset
            before, after = node.text[:cut].rstrip(), node.text[cut:].lstrip()
            head += [Text(before)] if before else []
            tail += [Text(after)] if after else []
        else:
            assert isinstance(node, Wrapper), "a split never falls in code"
            inner_head, inner_tail = _split(node.children, at - offset)
            head += [replace(node, children=inner_head)] if inner_head else []
            tail += [replace(node, children=inner_tail)] if inner_tail else []
        tail += children[index + 1 :]
        return tuple(head), tuple(tail)
    return tuple(head), ()
