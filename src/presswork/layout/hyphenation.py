"""Teach WeasyPrint two rules of hyphenation it does not know: what CSS calls
``hyphenate-limit-lines`` (at most so many hyphenated lines in a row), and no broken
word at a paragraph's end.

In: the most lines of a paragraph that may end in a broken word one after another
(``styles/production.toml``'s ``hyphens_in_a_row``). Out: a context manager under which
WeasyPrint 70 sets a paragraph's next line without breaking a word at its end once that
many lines before it do, and breaks no word of the run of text that ends a paragraph
(its text ends with :data:`presswork.render.html.PARAGRAPH_END`: the last two words tied
by a no-break space, or the last word): the line ends before the word, as a typesetter
sets it. Without it, such a run was found once the chapter was laid out,
and the whole chapter laid out again with the word kept whole (a tenth of a report's
chapters, each a second layout); :func:`presswork.layout.engine.layout_refined` still
catches what this cannot see, a run across a page turn.

WeasyPrint lays a paragraph's lines out one after another in ``iter_line_boxes``, each
line's text broken by ``split_first_line``; the block layout looks the first up by name
in ``weasyprint.layout.block`` when it calls it, the inline layout the second in
``weasyprint.layout.inline``, which is where each is replaced, for as long as the
context lasts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from presswork.render.html import PARAGRAPH_END

# For each paragraph being set (paragraphs nest: a note's, laid out while the line that
# calls it is), whether its next line may not break a word.
_held: list[bool] = []


@contextmanager
def hyphens_in_a_row(limit: int) -> Iterator[None]:
    """While the context lasts, no line of a paragraph breaks a word after ``limit``
    lines in a row that do."""
    from weasyprint.layout import block, inline

    lines, split = block.iter_line_boxes, inline.split_first_line

    def limited_lines(*args: Any, **kwargs: Any) -> Iterator[Any]:
        laid_out = lines(*args, **kwargs)
        in_a_row = 0
        while True:
            _held.append(in_a_row >= limit)
            try:
                line, resume_at = next(laid_out)
            except StopIteration:
                return
            finally:
                _held.pop()
            in_a_row = in_a_row + 1 if _ends_broken(line) else 0
            yield line, resume_at

    def split_whole(text: str, style: Any, *args: Any, **kwargs: Any) -> Any:
        if style["hyphens"] != "auto":
            return split(text, style, *args, **kwargs)
        if _held and _held[-1]:
            return split(text, _unhyphenated(style), *args, **kwargs)
        laid_out = split(text, style, *args, **kwargs)
        if text.endswith(PARAGRAPH_END) and _breaks_last_run(text, laid_out, style):
            return split(text, _unhyphenated(style), *args, **kwargs)
        return laid_out

    block.iter_line_boxes, inline.split_first_line = limited_lines, split_whole
    try:
        yield
    finally:
        block.iter_line_boxes, inline.split_first_line = lines, split


def _unhyphenated(style: Any) -> Any:
    """The style, hyphenating no word (as ``hyphens: manual`` does, with no soft hyphen)."""
    unhyphenated = style.copy()
    unhyphenated["hyphens"] = "manual"
    return unhyphenated


def _breaks_last_run(text: str, laid_out: Any, style: Any) -> bool:
    """Whether the first line of ``text`` as ``split_first_line`` laid it out ends in a
    word it broke, in the last run of ``text`` that no space breaks: a paragraph's last
    two words, tied by a no-break space, or its last word."""
    layout, _, resume_at, *_ = laid_out
    if resume_at is None or not layout.text.endswith(style["hyphenate_character"]):
        return False
    return b" " not in text.encode("utf-8")[resume_at:]


def _ends_broken(line: Any) -> bool:
    """Whether a laid-out line ends in a word WeasyPrint broke: its last text ends with
    the hyphen WeasyPrint adds (a hyphen of the text never ends a line: presswork ties
    it to what follows)."""
    last = _last_text(line)
    return last is not None and last.text.endswith(last.style["hyphenate_character"])


def _last_text(box: Any) -> Any:
    for child in reversed(getattr(box, "children", ())):
        if hasattr(child, "text"):
            return child
        found = _last_text(child)
        if found is not None:
            return found
    return None
