"""Turn a chapter's Markdown tokens into blocks of the book model.

In: the markdown-it tokens of one chapter (:mod:`presswork.manuscript.markdown`), the
chapter's lines and the manuscript folder. Out: the chapter's blocks and its note
definitions by label; every construct the model has no place for is a problem recorded
with its file, line and, where it can be told, column. Notes are not yet numbered and
links not yet resolved (see :mod:`presswork.transforms`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from presswork.errors import Report, diagnostic
from presswork.manuscript import typography, unsupported
from presswork.manuscript.typography import Quotes
from presswork.model import (
    IMAGE_MEDIA_TYPES,
    Block,
    Code,
    CodeBlock,
    Definition,
    DefinitionList,
    Emphasis,
    Figure,
    HardBreak,
    Heading,
    Inline,
    Link,
    ListBlock,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Rule,
    SoftBreak,
    Source,
    Strikethrough,
    Strong,
    Summary,
    Table,
    Text,
    plain_text,
    walk_inlines,
)

CONTAINERS = ("summary",)
HEADING_CLASSES = ("unnumbered", "unlisted")
_STRAIGHT_QUOTE = re.compile(r"[\"']")  # pandoc's; presswork numbers no heading


@dataclass
class ChapterReader:
    """Turns one chapter's tokens into blocks, recording notes and problems."""

    path: Path
    root: Path
    report: Report
    lines: list[str]
    quotes: Quotes = ("“", "”", "‘", "’")  # the book's quotation marks (PW702's advice)
    notes: dict[str, Note] = field(default_factory=dict)

    def col(self, line: int, needle: str | None) -> int | None:
        """The column where ``needle`` is typed on ``line``, if it is found there."""
        if needle is None or not 0 < line <= len(self.lines):
            return None
        found = self.lines[line - 1].find(needle)
        return found + 1 if found >= 0 else None

    def at(self, line: int, needle: str) -> Source:
        return Source(self.path, line, self.col(line, needle))

    def problem(self, code: str, message: str, line: int, needle: str | None = None) -> None:
        self.report.add(diagnostic(code, message, self.path, line, self.col(line, needle)))

    def source_of(self, token: Token) -> Source:
        return Source(self.path, token.map[0] + 1 if token.map else 1)

    def blocks(self, tokens: list[Token], start: int, end: int) -> tuple[Block, ...]:
        result: list[Block] = []
        for index, close in self._siblings(tokens, start, end):
            block = self.block(tokens, index, close)
            if block is not None:
                result.append(block)
        return _captioned(result)

    @staticmethod
    def _siblings(tokens: list[Token], start: int, end: int) -> Iterator[tuple[int, int]]:
        """(open, close) index pairs of the top-level blocks in ``tokens[start:end]``."""
        index = start
        while index < end:
            token = tokens[index]
            if token.nesting == 1:
                depth, close = 0, index
                for close in range(index, end):
                    depth += tokens[close].nesting
                    if depth == 0:
                        break
                yield index, close
                index = close + 1
            else:
                yield index, index
                index += 1

    def block(self, tokens: list[Token], index: int, close: int) -> Block | None:
        token = tokens[index]
        source = self.source_of(token)
        kind = token.type
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            figure = self.figure(inline, source)
            if figure is not None:
                return figure
            for found in unsupported.found_in_paragraph(inline.content):
                self.problem("PW603", found.message, source.line + found.line, found.typed)
            return Paragraph(self.inlines(inline, source), source)
        if kind == "heading_open":
            level = int(token.tag[1])
            children = self.inlines(tokens[index + 1], source)
            heading_id = token.attrGet("id")
            for node in walk_inlines(children):
                if isinstance(node, NoteRef):
                    self.problem(
                        "PW305",
                        "footnote call inside a heading (it would break "
                        "the contents and the navigation)",
                        source.line,
                        f"[^{node.label}]",
                    )
            classes, unread = token.meta.get("classes", []), token.meta.get("unread", [])
            for typed in [f".{c}" for c in classes if c not in HEADING_CLASSES] + unread:
                known = ", ".join(f".{c}" for c in HEADING_CLASSES)
                self.problem(
                    "PW603",
                    f"heading attribute '{typed}' is not read (a heading takes an id "
                    f"'#id' and the classes {known})",
                    source.line,
                    typed,
                )
            listed = "unlisted" not in classes
            return Heading(level, str(heading_id) if heading_id else "", children, source, listed)
        if kind in ("bullet_list_open", "ordered_list_open"):
            items = tuple(
                self.blocks(tokens, i + 1, c) for i, c in self._siblings(tokens, index + 1, close)
            )
            start = int(token.attrGet("start") or 1)
            return ListBlock(kind == "ordered_list_open", start, items, source)
        if kind == "blockquote_open":
            return Quote(self.blocks(tokens, index + 1, close), source)
        if kind == "table_open":
            return self.table(tokens, index, close, source)
        if kind == "dl_open":
            return self.definitions(tokens, index, close, source)
        if kind in ("fence", "code_block"):
            return CodeBlock(token.content, source)
        if kind == "hr":
            return Rule(source)
        if kind == "container_block_open":
            name = token.info.strip()
            if name not in CONTAINERS:
                self.problem(
                    "PW602",
                    f"unknown block '::: {name}' (known: {', '.join(CONTAINERS)})",
                    source.line,
                    name,
                )
                return None
            return Summary(self.blocks(tokens, index + 1, close), source)
        if kind == "footnote_reference_open":
            self.note_definition(tokens, index, close, source)
            return None
        if kind == "html_block":
            self.problem("PW601", "raw HTML is not allowed in a manuscript", source.line, "<")
            return None
        self.problem("PW603", f"unsupported Markdown construct '{kind}'", source.line)
        return None

    def table(self, tokens: list[Token], index: int, close: int, source: Source) -> Table:
        """A GFM pipe table: its header row, its body rows, each column's alignment."""
        rows: list[tuple[Paragraph, ...]] = []
        aligns: list[str] = []
        cells: list[Paragraph] = []
        for position in range(index, close):
            token = tokens[position]
            if token.type == "tr_open":
                cells = []
            elif token.type in ("th_open", "td_open"):
                if not rows:
                    style = str(token.attrGet("style") or "")
                    aligns.append(style.removeprefix("text-align:"))
                inline = tokens[position + 1]
                line = inline.map[0] + 1 if inline.map else source.line
                cell_source = Source(self.path, line)
                cells.append(Paragraph(self.inlines(inline, cell_source), cell_source))
            elif token.type == "tr_close":
                rows.append(tuple(cells))
        header, *body = rows
        return Table(header, tuple(body), tuple(aligns), None, source)

    def definitions(
        self, tokens: list[Token], index: int, close: int, source: Source
    ) -> DefinitionList:
        """Pandoc's definition list: each term, then the blocks of each definition."""
        items: list[Definition] = []
        for start, end in self._siblings(tokens, index + 1, close):
            if tokens[start].type == "dt_open":
                inline = tokens[start + 1]
                term_source = self.source_of(tokens[start])
                items.append(
                    Definition(Paragraph(self.inlines(inline, term_source), term_source), ())
                )
            elif items:
                last = items[-1]
                blocks = self.blocks(tokens, start + 1, end)
                items[-1] = Definition(last.term, (*last.definitions, blocks))
        return DefinitionList(tuple(items), source)

    def figure(self, inline: Token, source: Source) -> Figure | None:
        """A paragraph that is one image and nothing else is a figure."""
        children = [
            c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())
        ]
        if len(children) != 1 or children[0].type != "image":
            return None
        image = children[0]
        src = str(image.attrGet("src") or "")
        alt = plain_text(
            self._inline_run(image.children or [], 0, len(image.children or []), [source.line])
        ).strip()
        title = image.attrGet("title")
        path = self.image_path(src, source.line)
        if not alt:
            self.problem(
                "PW503",
                f"image '{src}' has no alt text: describe it between the brackets, ![like this](…)",
                source.line,
                "![",
            )
        return Figure(src, path, alt, str(title) if title else None, source)

    def image_path(self, src: str, line: int) -> Path | None:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            self.problem(
                "PW504",
                f"image '{src}' is a remote URL: copy the file into the manuscript folder",
                line,
                src,
            )
            return None
        path = (self.path.parent / unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            self.problem("PW502", f"image '{src}' lies outside the manuscript folder", line, src)
            return None
        if not path.is_file():
            self.problem("PW501", f"image file '{src}' not found", line, src)
            return None
        if path.suffix.lower() not in IMAGE_MEDIA_TYPES:
            self.problem(
                "PW506",
                f"image '{src}' is not one of {', '.join(sorted(IMAGE_MEDIA_TYPES))}",
                line,
                src,
            )
            return None
        return path

    def note_definition(self, tokens: list[Token], index: int, close: int, source: Source) -> None:
        label = str(tokens[index].meta["label"])
        needle = f"[^{label}]:"
        if label in self.notes:
            first = self.notes[label].source.line
            self.problem(
                "PW303",
                f"footnote [^{label}] is defined twice (first on line {first})",
                source.line,
                needle,
            )
            return
        children = self.blocks(tokens, index + 1, close)
        if not children:
            self.problem("PW304", f"footnote [^{label}] is empty", source.line, needle)
        for block in children:
            if isinstance(block, Paragraph):
                self.no_calls_inside(block.children)
        self.notes[label] = Note(label, 0, children, self.at(source.line, needle))

    def no_calls_inside(self, children: tuple[Inline, ...]) -> None:
        """A note's text calls no note."""
        for node in walk_inlines(children):
            if isinstance(node, NoteRef):
                typed = "^[" if " " in node.label else f"[^{node.label}]"
                self.problem("PW306", "footnote call inside a footnote", node.source.line, typed)

    def unread_markup(self, text: str, line: int) -> None:
        """Markup of other Markdowns that text holds as typed: each is a problem, named
        with what it is and how to type what was meant."""
        for found in unsupported.found_in(text):
            self.problem("PW603", found.message, line, found.typed)
        for match in _STRAIGHT_QUOTE.finditer(text):
            advice = typography.advice(match.group(), self.quotes)
            self.problem("PW702", advice, line, self.typed(text, match, line))

    def typed(self, text: str, match: re.Match[str], line: int) -> str:
        """The text of ``match`` with as much of what follows it as the line holds as
        typed (the smart quotes and dashes changed the rest), to point at the right one
        of several quotes."""
        typed = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        for length in range(6, 1, -1):
            needle = text[match.start() : match.start() + length]
            if len(needle) == length and needle in typed:
                return needle
        return match.group()

    def inlines(self, token: Token, source: Source) -> tuple[Inline, ...]:
        line = [source.line]
        return self._inline_run(token.children or [], 0, len(token.children or []), line)

    def _inline_run(
        self, children: list[Token], start: int, end: int, line: list[int]
    ) -> tuple[Inline, ...]:
        result: list[Inline] = []
        index = start
        while index < end:
            token = children[index]
            kind = token.type
            if kind in ("em_open", "strong_open", "s_open", "link_open"):
                close = _matching_close(children, index, end)
                inner = self._inline_run(children, index + 1, close, line)
                if kind == "em_open":
                    result.append(Emphasis(inner))
                elif kind == "strong_open":
                    result.append(Strong(inner))
                elif kind == "s_open":
                    result.append(Strikethrough(inner))
                else:
                    title = token.attrGet("title")
                    href = str(token.attrGet("href") or "")
                    # Point at the link's target: that is what a link problem is about.
                    where = self.at(line[0], f"]({href}")
                    if where.col is not None:
                        where = Source(where.path, where.line, where.col + 2)
                    result.append(
                        Link(
                            href,
                            inner,
                            where,
                            str(title) if title else None,
                        )
                    )
                index = close + 1
                continue
            if kind == "text":
                self.unread_markup(token.content, line[0])
                result.append(Text(token.content))
            elif kind == "text_special":  # an escaped character or an entity, as typed
                result.append(Text(token.content))
            elif kind == "softbreak":
                line[0] += 1
                result.append(SoftBreak())
            elif kind == "hardbreak":
                line[0] += 1
                result.append(HardBreak())
            elif kind == "code_inline":
                result.append(Code(token.content))
            elif kind == "footnote_ref" and token.meta.get("inline"):
                label = str(token.meta["label"])
                where = self.at(line[0], "^[")
                note_tokens = token.children or []
                text = self._inline_run(note_tokens, 0, len(note_tokens), [line[0]])
                self.no_calls_inside(text)
                self.notes[label] = Note(label, 0, (Paragraph(text, where),), where)
                result.append(NoteRef(label, where))
            elif kind == "footnote_ref":
                label = str(token.meta["label"])
                result.append(NoteRef(label, self.at(line[0], f"[^{label}]")))
            elif kind == "html_inline":
                self.problem(
                    "PW601", "raw HTML is not allowed in a manuscript", line[0], token.content
                )
            elif kind == "image":
                self.problem(
                    "PW505",
                    "an image must stand alone in its paragraph, where it is set as a figure",
                    line[0],
                    "![",
                )
            else:
                self.problem("PW603", f"unsupported Markdown construct '{kind}'", line[0])
            index += 1
        return tuple(result)


# A table's caption, typed as pandoc types it: a paragraph right after the table (or
# right before it) that begins "Table: " (or ": ").
_CAPTION = ("Table: ", ": ")


def _captioned(blocks: list[Block]) -> tuple[Block, ...]:
    """``blocks`` with each caption paragraph taken into the table it stands beside."""
    result: list[Block] = []
    for block in blocks:
        caption = _caption(block)
        before = result[-1] if result else None
        if caption is not None and isinstance(before, Table) and before.caption is None:
            result[-1] = replace(before, caption=caption)
            continue
        if isinstance(block, Table) and block.caption is None and before is not None:
            typed = _caption(before)
            if typed is not None:
                result[-1] = replace(block, caption=typed)
                continue
        result.append(block)
    return tuple(result)


def _caption(block: Block | None) -> Paragraph | None:
    """The caption a paragraph types, without its "Table: ", if it is one."""
    if not isinstance(block, Paragraph) or not block.children:
        return None
    first = block.children[0]
    if not isinstance(first, Text):
        return None
    for prefix in _CAPTION:
        if first.text.startswith(prefix):
            rest = first.text[len(prefix) :]
            children = ((Text(rest),) if rest else ()) + block.children[1:]
            return replace(block, children=children)
    return None


def _matching_close(children: list[Token], index: int, end: int) -> int:
    depth = 0
    for close in range(index, end):
        depth += children[close].nesting
        if depth == 0:
            return close
    return end - 1
