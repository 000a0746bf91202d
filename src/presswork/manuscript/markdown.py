"""The Markdown dialect of a chapter, configured once.

In: chapter text (after its front matter). Out: markdown-it tokens, in which
- a heading written ``## Title {#id}`` carries ``id`` as an attribute and no longer the
  braces in its text;
- footnote calls ``[^label]`` are ``footnote_ref`` tokens whether or not the label is
  defined (so a call with no definition is found, not printed as literal text), and
  definitions stay where they were typed (``footnote_reference_open``), with their lines;
- ``::: name`` … ``:::`` fenced blocks are ``container_block_open`` tokens whose ``info``
  is the name.

Raw HTML is parsed as HTML tokens so that the manuscript stage can refuse it by line.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
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


def _any_name(params: str, *args: object) -> bool:
    return bool(params.strip())


@cache
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    container_plugin(md, "block", validate=_any_name)
    md.core.ruler.after("inline", "heading_ids", _heading_ids)
    return md


def parse(text: str) -> list[Token]:
    return parser().parse(text)
