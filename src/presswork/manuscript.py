"""Read a manuscript folder into an unresolved book.

In: the validated :class:`~presswork.config.BookConfig` and a
:class:`~presswork.errors.Report`. Out: a :class:`~presswork.model.Book` whose notes are
not yet numbered and whose links are not yet resolved (see :mod:`presswork.transforms`).
Every problem met is recorded in the report with the file, line and, where it can be
told, column the editor typed; a chapter that cannot be read is left out of the book.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from presswork import markdown, readcache
from presswork.config import BookConfig, slugify
from presswork.errors import ManuscriptError, Report, error, warning
from presswork.model import (
    IMAGE_MEDIA_TYPES,
    Block,
    Book,
    Chapter,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
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
from presswork.provenance import edition_identifier
from presswork.sources import read_text
from presswork.yamlsource import load_mapping

MAX_CHAPTER_BYTES = 5_000_000
MAX_NOTE_CALLS = 10_000  # per chapter: far beyond any report, short of a denial of service
FRONT_MATTER_KEYS = {
    "id": "chapter id, used in links and file names",
    "running_head": "short title for running heads",
}
CONTAINERS = ("summary",)
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ChapterText:
    """A chapter file's text after its front matter, and where that text begins."""

    path: Path
    front: dict[str, tuple[object, int]]
    body: str
    body_line: int


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
    """Turns one chapter's tokens into blocks, recording notes and problems."""

    path: Path
    root: Path
    report: Report
    lines: list[str]
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
        self.report.add(error(code, message, self.path, line, self.col(line, needle)))

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
            inline = tokens[index + 1]
            figure = self.figure(inline, source)
            if figure is not None:
                return figure
            return Paragraph(self.inlines(inline, source), source)
        if kind == "heading_open":
            level = int(token.tag[1])
            children = self.inlines(tokens[index + 1], source)
            heading_id = token.attrGet("id")
            for node in _walk(children):
                if isinstance(node, NoteRef):
                    self.problem(
                        "PW305",
                        "footnote call inside a heading (it would break "
                        "the contents and the navigation)",
                        source.line,
                        f"[^{node.label}]",
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
                for node in _walk(block.children):
                    if isinstance(node, NoteRef):
                        self.problem(
                            "PW306",
                            "footnote call inside a footnote",
                            node.source.line,
                            f"[^{node.label}]",
                        )
        self.notes[label] = Note(label, 0, children, self.at(source.line, needle))

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


def _too_deep(tokens: list[Token], path: Path, report: Report) -> None:
    """markdown-it stops nesting at its limit and drops what lies deeper: say so."""
    limit = markdown.parser().options["maxNesting"] - 1
    for token in tokens:
        if token.level >= limit and token.map:
            report.add(
                error(
                    "PW604",
                    f"lists or quotes nested deeper than {limit} levels: "
                    "the deeper text would be lost",
                    path,
                    token.map[0] + 1,
                )
            )
            return


def read_chapter(path: Path, root: Path, report: Report) -> Chapter | None:
    text = read_text(path, report, MAX_CHAPTER_BYTES)
    if text is None:
        return None
    try:
        chapter_text = split_front_matter(path, text)
    except ManuscriptError as exc:
        report.extend(exc.diagnostics)
        return None
    front = chapter_text.front
    for key, (_, line) in front.items():
        if key not in FRONT_MATTER_KEYS:
            report.add(warning("PW104", f"unknown front matter key '{key}' (ignored)", path, line))
    calls = chapter_text.body.count("[^")
    if calls > MAX_NOTE_CALLS:
        report.add(
            error(
                "PW307",
                f"{calls} footnote calls and definitions: a chapter may "
                f"have at most {MAX_NOTE_CALLS}",
                path,
                1,
            )
        )
        return None
    reader = _Reader(path, root, report, chapter_text.body.split("\n"))
    tokens = markdown.parse(chapter_text.body)
    _too_deep(tokens, path, report)
    blocks = reader.blocks(tokens, 0, len(tokens))
    chapter_id = slugify(path.stem)
    if "id" in front:
        value, line = front["id"]
        if isinstance(value, str) and _ID.match(value):
            chapter_id = value
        else:
            report.add(
                error(
                    "PW103",
                    "'id' must be lower-case words of letters and digits joined by single hyphens",
                    path,
                    line,
                )
            )
    if not blocks or not isinstance(blocks[0], Heading) or blocks[0].level != 1:
        report.add(
            error(
                "PW406",
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
            report.add(
                error(
                    "PW407",
                    "a chapter has one level-1 heading, its title",
                    path,
                    block.source.line,
                    1,
                )
            )
    running_head = plain_text(title_heading.children)
    if "running_head" in front:
        value, line = front["running_head"]
        if isinstance(value, str) and value.strip():
            running_head = value.strip()
        else:
            report.add(error("PW103", "'running_head' must be text", path, line))
    return Chapter(
        id=chapter_id,
        source=Source(path, title_heading.source.line),
        title=title_heading.children,
        running_head=running_head,
        blocks=body,
        notes=tuple(reader.notes.values()),
    )


def read_notices(config: BookConfig, report: Report) -> tuple[tuple[Inline, ...], ...]:
    notices: list[tuple[Inline, ...]] = []
    lines = config.manifest.read_text(encoding="utf-8").split("\n")
    reader = _Reader(config.manifest, config.root, report, lines)
    for index, notice in enumerate(config.notices):
        line = config.notice_lines[index] if index < len(config.notice_lines) else 1
        tokens = markdown.parser().parseInline(notice)
        children = reader.inlines(tokens[0], Source(config.manifest, line))
        for node in _walk(children):
            if isinstance(node, NoteRef):
                reader.problem("PW306", "a notice cannot call a footnote", line, f"[^{node.label}]")
        notices.append(children)
    return tuple(notices)


def _read_chapters_through(
    memo: readcache.Memo, config: BookConfig, report: Report
) -> list[Chapter | None]:
    files = readcache.listing(config.root)
    chapters: list[Chapter | None] = []
    for entry in config.chapters:
        key = readcache.key(entry.path, config.root, files)
        kept = None if key is None else memo.load_chapter(key)
        if kept is None:
            findings = Report()
            chapter = read_chapter(entry.path, config.root, findings)
            kept = chapter, findings.diagnostics
            if key is not None:
                memo.keep_chapter(key, *kept)
        chapters.append(kept[0])
        report.extend(kept[1])
    return chapters


def read_book(
    config: BookConfig,
    modified: datetime,
    identifier: str,
    report: Report,
    memo: readcache.Memo | None = None,
) -> Book:
    """Read every chapter, recording problems; chapters that cannot be read are left out.
    With ``memo``, chapters unchanged since they were last read are taken as they were
    read then (:mod:`presswork.readcache`)."""
    if memo is None:
        chapters = [read_chapter(entry.path, config.root, report) for entry in config.chapters]
    else:
        chapters = _read_chapters_through(memo, config, report)
    notices = read_notices(config, report)
    seen: dict[str, Path] = {}
    for chapter in chapters:
        if chapter is None:
            continue
        if chapter.id in seen:
            report.add(
                error(
                    "PW105",
                    f"chapter id '{chapter.id}' is also the id of {seen[chapter.id].name}",
                    chapter.source.path,
                    1,
                )
            )
        seen[chapter.id] = chapter.source.path
    metadata = Metadata(
        title=config.title,
        language=config.language,
        identifier=identifier,
        print_identifier=edition_identifier(identifier, "print"),
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
