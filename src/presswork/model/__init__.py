"""The book model: one immutable tree that every edition is rendered from.

In: nothing (these are the types). Out: :class:`Book` and its parts. The manuscript
stage builds these objects, the transforms return new ones, and the renderers only read
them. Every block and note keeps the :class:`Source` position the editor typed it at.
The types live in three modules, inline content, blocks and the book's whole; this one
names them all, and the rest of presswork imports them from here.
"""

from __future__ import annotations

from presswork.model.blocks import (
    Block,
    CodeBlock,
    Definition,
    DefinitionList,
    Figure,
    Heading,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Rule,
    Summary,
    Table,
    figures_in,
    note_characters,
    walk_block_tree,
)
from presswork.model.book import ROLES, Book, Chapter, Contributor, Metadata, TocEntry
from presswork.model.inlines import (
    IMAGE_MEDIA_TYPES,
    Anchor,
    Code,
    Emphasis,
    HardBreak,
    Inline,
    Link,
    NoteRef,
    PageBreak,
    PageStart,
    SoftBreak,
    Source,
    Strikethrough,
    Strong,
    Text,
    Wrapper,
    plain_text,
    walk_inlines,
)

__all__ = [
    "IMAGE_MEDIA_TYPES",
    "ROLES",
    "Anchor",
    "Block",
    "Book",
    "Chapter",
    "Code",
    "CodeBlock",
    "Contributor",
    "Definition",
    "DefinitionList",
    "Emphasis",
    "Figure",
    "HardBreak",
    "Heading",
    "Inline",
    "Link",
    "ListBlock",
    "Metadata",
    "Note",
    "NoteRef",
    "PageBreak",
    "PageStart",
    "Paragraph",
    "Quote",
    "Rule",
    "SoftBreak",
    "Source",
    "Strikethrough",
    "Strong",
    "Summary",
    "Table",
    "Text",
    "TocEntry",
    "Wrapper",
    "figures_in",
    "note_characters",
    "plain_text",
    "walk_block_tree",
    "walk_inlines",
]
