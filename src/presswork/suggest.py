"""What an editor most likely meant by a word presswork does not know: a key of
``book.yaml``, a value, a note label, a heading id, a file name.

In: the word as typed and the words it could have been. Out: the closest of them, or
nothing when none is close, and the ``did you mean …?`` that every diagnostic ends with
when it has a suggestion, so that all say it alike and judge "close" alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import get_close_matches
from functools import lru_cache

# difflib's own default: "subtitel" is 0.88 of "subtitle", "lang" 0.67 of "language",
# while "epub" is only 0.44 of "ebook" and "x" nothing of "note".
CUTOFF = 0.6


def closest(typed: str, known: Iterable[str]) -> str | None:
    """The word of ``known`` closest to ``typed``, ignoring case (``a4`` is ``A4``), or
    ``None`` when none is close enough."""
    by_folded: dict[str, str] = {}
    for word in known:
        by_folded.setdefault(word.casefold(), word)
    found = _closest_folded(typed.casefold(), tuple(by_folded))
    return None if found is None else by_folded[found]


@lru_cache(maxsize=1024)
def _closest_folded(typed: str, known: tuple[str, ...]) -> str | None:
    """The match itself, remembered: a report repeats a mistake in every entry (a link
    to a chapter it leaves out), and each is weighed against the book's every id."""
    found = get_close_matches(typed, known, n=1, cutoff=CUTOFF)
    return found[0] if found else None


def quoted(word: str) -> str:
    """A key or value as it would be typed in YAML."""
    return f'"{word}"'


def did_you_mean(typed: str, known: Iterable[str], shown: Callable[[str], str] = quoted) -> str:
    """``; did you mean "subtitle"?``, to end a message with: the closest word of
    ``known`` to ``typed``, written as ``shown`` writes it (as the editor would type it:
    ``[^thin]``, ``#harvest``); empty when no word is close."""
    found = closest(typed, known)
    return "" if found is None else f"; did you mean {shown(found)}?"
