"""The Markdown dialect of a chapter, configured once.

In: chapter text (after its front matter). Out: markdown-it tokens, in which
- a heading written ``## Title {#id}`` carries ``id`` as an attribute and no longer the
  braces in its text;
- footnote calls ``[^label]`` (a label without spaces or brackets) are ``footnote_ref``
  tokens whether or not the label is defined (so a call with no definition is found,
  not printed as literal text), and
  definitions stay where they were typed (``footnote_reference_open``), with their lines;
- ``::: name`` … ``:::`` fenced blocks are ``container_block_open`` tokens whose ``info``
  is the name;
- GFM pipe tables are ``table_open`` … ``table_close`` tokens.

Raw HTML is parsed as HTML tokens so that the manuscript stage can refuse it by line.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from presswork import ids

HEADING_ID = re.compile(rf"\s*\{{#({ids.TYPED})\}}\s*$")


def _heading_ids(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if not children or children[-1].type != "text":
            continue
        match = HEADING_ID.search(children[-1].content)
        if match is None:
            continue
        token.attrSet("id", match.group(1))
        last = children[-1]
        last.content = last.content[: match.start()]
        if not last.content:
            children.pop()
        inline.content = HEADING_ID.sub("", inline.content)


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


def _any_name(params: str, *args: object) -> bool:
    return bool(params.strip())


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    md.inline.ruler.at("footnote_ref", _note_call)
    container_plugin(md, "block", validate=_any_name)
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    return md


def parse(text: str) -> list[Token]:
    return parser().parse(text)
