r"""The Markdown dialect of a chapter, configured once.

In: chapter text (after its front matter). Out: markdown-it tokens, in which
- a heading written ``## Title {#id .unlisted}`` carries ``id`` as an attribute, its
  classes as ``meta["classes"]`` (and any other attribute as ``meta["unread"]``), and no
  longer the braces in its text;
- footnote calls ``[^label]`` (a label without spaces or brackets) are ``footnote_ref``
  tokens whether or not the label is defined (so a call with no definition is found,
  not printed as literal text), and
  definitions stay where they were typed (``footnote_reference_open``), with their lines;
- ``::: name`` … ``:::`` fenced blocks are ``container_block_open`` tokens whose ``info``
  is the name;
- inline notes ``^[text]`` are ``footnote_ref`` tokens too, labelled ``inline N``
  (a label no one can type: it holds a space), their text parsed as their children;
- GFM pipe tables are ``table_open`` … ``table_close`` tokens, ``~~struck~~`` text is
  ``s_open`` … ``s_close``, pandoc's definition lists are ``dl_open`` … ``dl_close``;
- an escaped character (``\~``) or an entity stays a ``text_special`` token of its own,
  so that text read as typed can be told from markup presswork does not read;
- straight quotes are the language's quotation marks or apostrophes where their intent
  is clear, and ``---``, ``--``, ``...`` are — – … (:mod:`presswork.manuscript.typography`).

Raw HTML is parsed as HTML tokens so that the manuscript stage can refuse it by line.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from presswork import ids
from presswork.manuscript import typography

HEADING_ATTRIBUTES = re.compile(r"\s*\{([^{}]*)\}\s*$")
_HEADING_ID = re.compile(rf"#({ids.TYPED})")
# What pandoc's ``{-}`` means: ``.unnumbered`` (presswork numbers no heading).
_CLASS_ALIASES = {"-": ".unnumbered"}


def _read_attributes(typed: str) -> tuple[str | None, list[str], list[str]]:
    """A heading's ``{…}``: its id, its classes and what else it holds (unread)."""
    heading_id: str | None = None
    classes: list[str] = []
    unread: list[str] = []
    for part in typed.split():
        part = _CLASS_ALIASES.get(part, part)
        found = _HEADING_ID.fullmatch(part)
        if found is not None and heading_id is None:
            heading_id = found.group(1)
        elif part.startswith(".") and len(part) > 1:
            classes.append(part[1:])
        else:
            unread.append(part)
    return heading_id, classes, unread


def _heading_ids(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        match = HEADING_ATTRIBUTES.search(children[-1].content)
        if match is None:
            continue
        heading_id, classes, unread = _read_attributes(match.group(1))
        if heading_id is not None:
            token.attrSet("id", heading_id)
        token.meta = {"classes": classes, "unread": unread}
        last = children[-1]
        last.content = last.content[: match.start()]
        if not last.content:
            children.pop()
        inline.content = HEADING_ATTRIBUTES.sub("", inline.content)


# A note call's label: anything but a space, a line end or a bracket. markdown-it's own
# rule reads a label on over brackets up to the next space, so that each ``[^`` left
# open in a paragraph without spaces costs the rest of the paragraph: 1,500 of them in
# 1.5 MB took minutes. Stopping at a bracket makes every scan end where the next ``[^``
# begins, and the whole rule linear.
_NOTE_CALL = re.compile(r"\[\^([^\[\]\s]+)\]")


def _note_call(state: StateInline, silent: bool) -> bool:
    """``[^label]``: a ``footnote_ref`` token, whether or not the label is defined."""
    found = _NOTE_CALL.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    if not silent:
        label = found.group(1)
        notes = state.env.setdefault("footnotes", {})
        refs, listed = notes.setdefault("refs", {}), notes.setdefault("list", {})
        number = refs.get(":" + label, -1)
        if number < 0:
            number = refs[":" + label] = len(listed)
            listed[number] = {"label": label, "count": 0}
        token = state.push("footnote_ref", "", 0)
        token.meta = {"id": number, "subId": listed[number]["count"], "label": label}
        listed[number]["count"] += 1
    state.pos = found.end()
    return True


# The longest inline note read: an unclosed ``^[`` is looked for its end this far, not
# to the paragraph's end (each would cost the rest of the paragraph).
INLINE_NOTE_LIMIT = 4000


def _inline_note(state: StateInline, silent: bool) -> bool:
    """``^[text]``: a note typed where it is called, numbered with the others."""
    start, maximum = state.pos, state.posMax
    if not state.src.startswith("^[", start):
        return False
    state.posMax = min(maximum, start + 2 + INLINE_NOTE_LIMIT)
    try:
        end = parseLinkLabel(state, start + 1)
    finally:
        state.posMax = maximum
    if end < 0:
        return False
    if not silent:
        notes = state.env.setdefault("inline notes", [])
        label = f"inline {len(notes) + 1}"
        notes.append(label)
        children: list[Token] = []
        state.md.inline.parse(state.src[start + 2 : end], state.md, state.env, children)
        token = state.push("footnote_ref", "", 0)
        token.meta = {"label": label, "inline": True}
        token.children = children
    state.pos = end + 1
    return True


def _any_name(params: str, *args: object) -> bool:
    return bool(params.strip())


@cache
def parser(language: str = "en") -> MarkdownIt:
    """The dialect, with the quotation marks of ``language``."""
    options = {"html": True, "typographer": True, "quotes": list(typography.quotes(language))}
    md = MarkdownIt("commonmark", options).enable(["table", "strikethrough", "smartquotes"])
    md.core.ruler.disable("text_join")
    md.core.ruler.after("smartquotes", "dashes", typography.dashes)
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    md.inline.ruler.at("footnote_ref", _note_call)
    md.inline.ruler.after("image", "inline_note", _inline_note)
    deflist_plugin(md)
    container_plugin(md, "block", validate=_any_name)
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    return md


def parse(text: str, language: str = "en") -> list[Token]:
    return parser(language).parse(text)
