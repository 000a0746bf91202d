"""The words of a paragraph, counted the one way every edition counts them.

In: a paragraph's inline content and an edit that says what each word becomes. Out: the
content rebuilt with each word as the edit made it. A word is a run of characters
between spaces in the paragraph's text, note calls left out; a word that runs on from
one inline node into the next (``word<em>s</em>``) is one word, and a line break ends
one. Word 0 is the first. The layout counts the words set on a page the same way
(:func:`presswork.layout.pages.count_words`), so a number of words read off the pages
names the same word here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from presswork.model import Inline, Text, Wrapper

# (the word's number, the spaces before it, the word) -> what stands there instead: model
# nodes, or nodes of an edition's own (the PDF's unbroken words)
WordEdit = Callable[[int, str, str], list[Any]]
_WORD = re.compile(r"\S+")


def count(children: tuple[Inline, ...]) -> int:
    """How many words the content has."""
    found = [0]

    def counted(index: int, space: str, word: str) -> list[Any]:
        found[0] = index + 1
        return [Text(space + word)]

    rewrite_words(children, counted)
    return found[0]


def rewrite_words(children: tuple[Inline, ...], edit: WordEdit) -> tuple[Any, ...]:
    """``children`` with each word replaced by what ``edit`` gives for it (the spaces
    before it included); neighbouring text is merged again."""
    state = {"words": 0, "inside": False}  # words begun; whether the text ends inside one

    def walk(nodes: tuple[Inline, ...]) -> tuple[Any, ...]:
        out: list[Any] = []
        for node in nodes:
            if isinstance(node, Text):
                _append(out, split(node.text))
            elif isinstance(node, Wrapper):
                out.append(replace(node, children=walk(node.children)))
            else:
                if node.kind in ("softbreak", "hardbreak"):
                    state["inside"] = False
                out.append(node)
        return tuple(out)

    def split(text: str) -> list[Any]:
        pieces: list[Any] = []
        last = 0
        for match in _WORD.finditer(text):
            space = text[last : match.start()]
            if match.start() > 0 or not state["inside"]:
                pieces += edit(int(state["words"]), space, match.group())
                state["words"] = int(state["words"]) + 1
            else:  # the word began in an earlier node: not a word of its own
                pieces.append(Text(space + match.group()))
            last = match.end()
        if last < len(text):
            pieces.append(Text(text[last:]))
        state["inside"] = bool(text) and not text[-1].isspace()
        return pieces

    return walk(children)


def _append(out: list[Any], pieces: list[Any]) -> None:
    for piece in pieces:
        if isinstance(piece, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + piece.text)
        elif not (isinstance(piece, Text) and not piece.text):
            out.append(piece)
