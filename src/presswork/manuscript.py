"""Read a manuscript folder into an unresolved book.

In: the manuscript folder (``book.yaml`` and the chapter files it lists). Out: a
:class:`~presswork.model.Book` whose notes are not yet numbered and whose links are not
yet resolved (see :mod:`presswork.transforms`), or a
:class:`~presswork.errors.ManuscriptError` that lists every problem found, each with the
file and line the editor typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markdown_it.token import Token

from presswork import markdown
from presswork.config import BookConfig, slugify
from presswork.errors import Diagnostic, ManuscriptError, error, warning
from presswork.model import (
    Block,
    Book,
    Chapter,
    Code,
    CodeBlock,
    Emphasis,
    HardBreak,
    Heading,
    Inline,
    Link,
    ListBlock,
    Metadata,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Rule,
    SoftBreak,
    Source,
    Strong,
    Summary,
    Text,
    plain_text,
)
from presswork.yamlsource import load_mapping

MAX_CHAPTER_BYTES = 5_000_000
FRONT_MATTER_KEYS = {
    "id": "chapter id, used in links and file names",
    "running_head": "short title for running heads",
}
CONTAINERS = ("summary",)
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ChapterText:
    """A chapter file's text after its front matter, and where that text begins."""

    path: Path
    front: dict[str, tuple[object, int]]
    body: str
    body_line: int


def read_text(path: Path, problems: list[Diagnostic]) -> str | None:
    """The file as text, or ``None`` with the problem recorded."""
    data = path.read_bytes()
    if len(data) > MAX_CHAPTER_BYTES:
        problems.append(error("PW204", f"file larger than {MAX_CHAPTER_BYTES} bytes", path, 1))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(error("PW201", f"not UTF-8: invalid byte at offset {exc.start}", path))
        return None
    if text.startswith("\ufeff"):
        problems.append(warning("PW202", "byte-order mark at the start of the file", path, 1, 1))
        text = text[1:]
    for number, line in enumerate(text.splitlines(), start=1):
        match = _CONTROL.search(line)
        if match:
            problems.append(
                error(
                    "PW203",
                    f"control character U+{ord(match.group()):04X}",
                    path,
                    number,
                    match.start() + 1,
                )
            )
    return text


def split_front_matter(path: Path, text: str) -> ChapterText:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return ChapterText(path, {}, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            mapping = load_mapping("\n".join(lines[1:index]), path, line_offset=1)
            front = {k: (v.value, v.line) for k, v in mapping.entries.items()}
            # Blank lines keep the body's line numbers equal to the file's.
            body = "\n" * (index + 1) + "\n".join(lines[index + 1 :])
            return ChapterText(path, front, body, index + 2)
    raise ManuscriptError(error("PW101", "front matter is not closed with '---'", path, 1))


@dataclass
class _Reader:
    """Turns one chapter's tokens into blocks, collecting notes and problems."""

    path: Path
    problems: list[Diagnostic]
    notes: dict[str, Note] = field(default_factory=dict)

    def src(self, token: Token) -> Source:
        return Source(self.path, token.map[0] + 1 if token.map else 1)

    def blocks(self, tokens: list[Token], start: int, end: int) -> tuple[Block, ...]:
        result: list[Block] = []
        for index, close in self._siblings(tokens, start, end):
            block = self.block(tokens, index, close)
            if block is not None:
                result.append(block)
        return tuple(result)

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
        source = self.src(token)
        kind = token.type
        if kind == "paragraph_open":
            return Paragraph(self.inlines(tokens[index + 1], source), source)
        if kind == "heading_open":
            level = int(token.tag[1])
            children = self.inlines(tokens[index + 1], source)
            heading_id = token.attrGet("id")
            if any(isinstance(c, NoteRef) for c in _walk(children)):
                self.problems.append(
                    error("PW305", "footnote call inside a heading", self.path, source.line)
                )
            return Heading(level, str(heading_id) if heading_id else "", children, source)
        if kind in ("bullet_list_open", "ordered_list_open"):
            items = tuple(
                self.blocks(tokens, i + 1, c) for i, c in self._siblings(tokens, index + 1, close)
            )
            start = int(token.attrGet("start") or 1)
            return ListBlock(kind == "ordered_list_open", start, items, source)
        if kind == "blockquote_open":
            return Quote(self.blocks(tokens, index + 1, close), source)
        if kind in ("fence", "code_block"):
            return CodeBlock(token.content, source)
        if kind == "hr":
            return Rule(source)
        if kind == "container_block_open":
            name = token.info.strip()
            if name not in CONTAINERS:
                self.problems.append(
                    error(
                        "PW602",
                        f"unknown block '::: {name}' (known: {', '.join(CONTAINERS)})",
                        self.path,
                        source.line,
                    )
                )
                return None
            return Summary(self.blocks(tokens, index + 1, close), source)
        if kind == "footnote_reference_open":
            self.note_definition(tokens, index, close, source)
            return None
        if kind == "html_block":
            self.problems.append(
                error("PW601", "raw HTML is not allowed in a manuscript", self.path, source.line)
            )
            return None
        self.problems.append(
            error("PW603", f"unsupported Markdown construct '{kind}'", self.path, source.line)
        )
        return None

    def note_definition(self, tokens: list[Token], index: int, close: int, source: Source) -> None:
        label = str(tokens[index].meta["label"])
        if label in self.notes:
            first = self.notes[label].source.line
            self.problems.append(
                error(
                    "PW303",
                    f"footnote [^{label}] is defined twice (first on line {first})",
                    self.path,
                    source.line,
                )
            )
            return
        children = self.blocks(tokens, index + 1, close)
        if not children:
            self.problems.append(
                error("PW304", f"footnote [^{label}] is empty", self.path, source.line)
            )
        for block in children:
            if isinstance(block, Paragraph) and any(
                isinstance(c, NoteRef) for c in _walk(block.children)
            ):
                self.problems.append(
                    error("PW306", "footnote call inside a footnote", self.path, block.source.line)
                )
        self.notes[label] = Note(label, 0, children, source)

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
            if kind in ("em_open", "strong_open", "link_open"):
                close = _matching_close(children, index, end)
                inner = self._inline_run(children, index + 1, close, line)
                if kind == "em_open":
                    result.append(Emphasis(inner))
                elif kind == "strong_open":
                    result.append(Strong(inner))
                else:
                    title = token.attrGet("title")
                    result.append(
                        Link(
                            str(token.attrGet("href") or ""),
                            inner,
                            Source(self.path, line[0]),
                            str(title) if title else None,
                        )
                    )
                index = close + 1
                continue
            if kind == "text":
                result.append(Text(token.content))
            elif kind == "softbreak":
                line[0] += 1
                result.append(SoftBreak())
            elif kind == "hardbreak":
                line[0] += 1
                result.append(HardBreak())
            elif kind == "code_inline":
                result.append(Code(token.content))
            elif kind == "footnote_ref":
                result.append(NoteRef(str(token.meta["label"]), Source(self.path, line[0])))
            elif kind == "html_inline":
                self.problems.append(
                    error("PW601", "raw HTML is not allowed in a manuscript", self.path, line[0])
                )
            elif kind == "image":
                self.problems.append(
                    error("PW501", "images are not supported yet", self.path, line[0])
                )
            else:
                self.problems.append(
                    error("PW603", f"unsupported Markdown construct '{kind}'", self.path, line[0])
                )
            index += 1
        return tuple(result)


def _matching_close(children: list[Token], index: int, end: int) -> int:
    depth = 0
    for close in range(index, end):
        depth += children[close].nesting
        if depth == 0:
            return close
    return end - 1


def _walk(children: tuple[Inline, ...]) -> Iterator[Inline]:
    for child in children:
        yield child
        if isinstance(child, Emphasis | Strong | Link):
            yield from _walk(child.children)


def read_chapter(path: Path, problems: list[Diagnostic]) -> Chapter | None:
    text = read_text(path, problems)
    if text is None:
        return None
    chapter_text = split_front_matter(path, text)
    front = chapter_text.front
    for key, (_, line) in front.items():
        if key not in FRONT_MATTER_KEYS:
            problems.append(
                warning("PW104", f"unknown front matter key '{key}' (ignored)", path, line)
            )
    reader = _Reader(path, problems)
    tokens = markdown.parse(chapter_text.body)
    blocks = reader.blocks(tokens, 0, len(tokens))
    chapter_id = slugify(path.stem)
    if "id" in front:
        value, line = front["id"]
        if isinstance(value, str) and _ID.match(value):
            chapter_id = value
        else:
            problems.append(
                error(
                    "PW103",
                    "'id' must be lower-case letters, digits and hyphens, starting with a letter",
                    path,
                    line,
                )
            )
    if not blocks or not isinstance(blocks[0], Heading) or blocks[0].level != 1:
        problems.append(
            error(
                "PW401",
                "a chapter must begin with its title as a level-1 heading ('# Title')",
                path,
                chapter_text.body_line,
            )
        )
        return None
    title_heading = blocks[0]
    body = blocks[1:]
    for block in body:
        if isinstance(block, Heading) and block.level == 1:
            problems.append(
                error(
                    "PW402", "a chapter has one level-1 heading, its title", path, block.source.line
                )
            )
    running_head = plain_text(title_heading.children)
    if "running_head" in front:
        value, line = front["running_head"]
        if isinstance(value, str) and value.strip():
            running_head = value.strip()
        else:
            problems.append(error("PW103", "'running_head' must be text", path, line))
    return Chapter(
        id=chapter_id,
        source=Source(path, title_heading.source.line),
        title=title_heading.children,
        running_head=running_head,
        blocks=body,
        notes=tuple(reader.notes.values()),
    )


def read_notices(config: BookConfig, problems: list[Diagnostic]) -> tuple[tuple[Inline, ...], ...]:
    reader = _Reader(config.manifest, problems)
    notices: list[tuple[Inline, ...]] = []
    for notice in config.notices:
        tokens = markdown.parser().parseInline(notice)
        notices.append(reader.inlines(tokens[0], Source(config.manifest, 1)))
    return tuple(notices)


def read_book(config: BookConfig, modified: datetime, identifier: str) -> Book:
    """Read every chapter; raise once, with all errors, if any chapter is broken."""
    problems: list[Diagnostic] = []
    chapters = [read_chapter(entry.path, problems) for entry in config.chapters]
    notices = read_notices(config, problems)
    seen: dict[str, Path] = {}
    for chapter in chapters:
        if chapter is None:
            continue
        if chapter.id in seen:
            problems.append(
                error(
                    "PW105",
                    f"chapter id '{chapter.id}' is also the id of {seen[chapter.id].name}",
                    chapter.source.path,
                    1,
                )
            )
        seen[chapter.id] = chapter.source.path
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ManuscriptError(sorted(errors, key=_position))
    metadata = Metadata(
        title=config.title,
        language=config.language,
        identifier=identifier,
        slug=config.slug,
        modified=modified,
        subtitle=config.subtitle,
        publisher=config.publisher,
        authors=config.authors,
        description=config.description,
        subjects=config.subjects,
        rights=config.rights,
        page_size=config.page_size,
        toc_depth=config.toc_depth,
    )
    return Book(metadata, notices, tuple(c for c in chapters if c is not None), config.root)


def _position(diagnostic: Diagnostic) -> tuple[str, int]:
    return (str(diagnostic.path or ""), diagnostic.line or 0)
