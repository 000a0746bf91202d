"""The typographic characters a manuscript's plain keyboard characters stand for.

In: the book's language (a BCP 47 tag, ``en-GB``) and, for the dashes, a chapter's
markdown-it tokens. Out: the language's quotation marks (:func:`quotes`, from
``typography.toml`` beside this module), which markdown-it's smart quotes set in place
of straight ones; and the tokens with ``---``, ``--`` and ``...`` made an em dash, an en
dash and an ellipsis (:func:`dashes`), in text only: never in code, a link's address, an
autolink or an escaped character. A straight quote left after both is one whose intent
cannot be told (an opening quote never closed, ``'90s``): the reader warns of it
(PW702) with the characters to choose from.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from markdown_it.rules_core import StateCore

Quotes = tuple[str, str, str, str]  # outer open, outer close, inner open, inner close

_DATA = Path(__file__).with_name("typography.toml")
_DASHES = re.compile(r"-{2,3}|\.\.\.")
_DASH_FOR = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


@cache
def _table() -> tuple[str, dict[str, Quotes]]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    table = {name: (q[0], q[1], q[2], q[3]) for name, q in data["quotes"].items()}
    return str(data["default"]), table


def quotes(language: str) -> Quotes:
    """The quotation marks of ``language`` (its primary subtag's), or the default's."""
    default, table = _table()
    primary = language.split("-", 1)[0].lower()
    return table.get(primary, table[default])


def characters() -> set[str]:
    """Every character this module may set: the typefaces must draw them all."""
    return {c for marks in _table()[1].values() for mark in marks for c in mark} | set(
        _DASH_FOR.values()
    )


def dashes(state: StateCore) -> None:
    """A core rule: ``---``, ``--`` and ``...`` in text become — – …"""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = False
        for token in block.children:
            if token.type == "link_open" and token.markup == "autolink":
                in_autolink = True
            elif token.type == "link_close":
                in_autolink = False
            elif token.type == "text" and not in_autolink and _DASHES.search(token.content):
                token.content = _DASHES.sub(lambda m: _DASH_FOR[m.group()], token.content)


def advice(quote: str, quotes: Quotes) -> str:
    """What a straight quote the smart quotes left may have been meant as, in the book's
    quotation marks ``quotes`` (PW702's message)."""
    outer_open, outer_close, inner_open, inner_close = (q.strip() for q in quotes)
    if quote == '"':
        return (
            f'straight quote " that opens or closes nothing: type {outer_open} to open a '
            f'quotation, {outer_close} to close one, or \\" to keep it'
        )
    return (
        "straight quote ' that is not clearly an apostrophe: type ’ for missing letters "
        f"(’90s), {inner_open} or {inner_close} for a quotation within a quotation, or \\' "
        "to keep it"
    )
