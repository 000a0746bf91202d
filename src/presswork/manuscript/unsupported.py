"""Markup of other Markdowns that presswork does not read, found where it stays as text.

In: the text of a paragraph as typed, or of one of its text runs after parsing (an
escaped character, ``\\~``, is never part of a run). Out: each :class:`Found`
construct: what it is, what to type instead, and the text typed (for the column). The
reader reports each as PW603, so that no edition ever shows raw markup. The constructs,
and what to type instead, are in :data:`INLINE` and :data:`PARAGRAPH`; a test holds a
list of the CommonMark, GFM and pandoc constructs to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Construct:
    name: str
    pattern: re.Pattern[str]
    instead: str  # what to type to get what was meant, or to keep the text as it is


@dataclass(frozen=True)
class Found:
    construct: Construct
    typed: str
    line: int  # from 0, in the text looked at

    @property
    def message(self) -> str:
        return f"{self.construct.name} is not read: {self.construct.instead}"


_ESCAPE = "escape its first character with a backslash to print it as typed"

# Found in a text run (after emphasis, links, notes and the rest were read).
INLINE: tuple[Construct, ...] = (
    Construct(
        "an attribute in braces ('{.class}', '{#id}', '{key=value}', '{=format}')",
        re.compile(r"\{\s*(?:[.#=]|-\s*\}|[\w-]+=)[^{}]*\}"),
        f"only a heading takes '{{#id .unlisted .unnumbered}}'; {_ESCAPE}",
    ),
    Construct(
        "strikethrough that does not close ('~~')",
        re.compile(r"~~"),
        f"type '~~struck words~~' with no space inside the tildes; {_ESCAPE}",
    ),
    Construct(
        "pandoc's subscript ('H~2~O')",
        re.compile(r"(?<!~)~[^~\s]+~(?!~)"),
        f"type the subscript character itself ('H₂O'); {_ESCAPE}",
    ),
    Construct(
        "pandoc's superscript ('2^10^')",
        re.compile(r"\^[^\^\s\[\]]+\^"),
        f"type the superscript character itself ('2¹⁰'); {_ESCAPE}",
    ),
    Construct(
        "an inline note that does not close ('^[')",
        re.compile(r"\^\["),
        f"close it with ']' within 4,000 characters, or use '[^label]'; {_ESCAPE}",
    ),
    Construct(
        "a citation ('[@key]')",
        re.compile(r"\[-?@[\w:.#$%&+?<>~/-]+"),
        f"write the reference out, or put it in a note; {_ESCAPE}",
    ),
    Construct(
        "TeX math ('$x^2$')",
        # pandoc's rule: a '$' with no space after it, a '$' with no space before it and
        # no digit after it (so '$5 and $6' is money, not math).
        re.compile(r"(?<![\\$\w])\$(?=\S)[^$\n]*?(?<=\S)\$(?![\d$])"),
        f"set the formula as text or as an image; {_ESCAPE}",
    ),
)

# Found in the lines of a paragraph as typed.
PARAGRAPH: tuple[Construct, ...] = (
    Construct(
        "a table row outside a table (or pandoc's line block '| line')",
        re.compile(r"^[ \t]*\|.*$", re.MULTILINE),
        "a pipe table needs a header row, then a delimiter row ('|---|---|') as many "
        f"columns wide; {_ESCAPE}",
    ),
    Construct(
        "a table's delimiter row without its header row ('|---|')",
        re.compile(r"^[ \t]*:?-{3,}:?[ \t]*\|.*$", re.MULTILINE),
        f"a pipe table begins with its header row; {_ESCAPE}",
    ),
    Construct(
        "a grid table ('+---+---+')",
        re.compile(r"^[ \t]*\+[-=:]+\+[-=:+]*$", re.MULTILINE),
        "type it as a pipe table: '| A | B |', then '|---|---|', then a line per row",
    ),
    Construct(
        "a task list item ('[ ]' or '[x]')",
        re.compile(r"\A\[[ xX]\][ \t]"),
        f"write the item as a plain list item, with its state in words; {_ESCAPE}",
    ),
    Construct(
        "pandoc's example list ('(@)')",
        re.compile(r"\A\(@[\w-]*\)[ \t]"),
        f"use a numbered list ('1.'); {_ESCAPE}",
    ),
)


def found_in(text: str) -> Iterator[Found]:
    """The constructs of :data:`INLINE` in a text run, each once, in the list's order."""
    yield from _found(INLINE, text)


def found_in_paragraph(typed: str) -> Iterator[Found]:
    """The constructs of :data:`PARAGRAPH` in a paragraph's lines as typed, each once."""
    yield from _found(PARAGRAPH, typed)


def _found(constructs: tuple[Construct, ...], text: str) -> Iterator[Found]:
    """The first place of each construct in ``text``."""
    for construct in constructs:
        match = construct.pattern.search(text)
        if match is not None:
            yield Found(construct, match.group(0).strip(), text.count("\n", 0, match.start()))
