"""Read a manuscript's chapters and notices into an unresolved book.

In: the validated :class:`~presswork.config.manifest.BookConfig`, the build's date and
identifier, and a :class:`~presswork.errors.Report`. Out: a
:class:`~presswork.model.Book` whose notes are not yet numbered and whose links are not
yet resolved (see :mod:`presswork.transforms`). Every problem met is recorded in the
report with the file, line and column the editor typed; a chapter that cannot be read is
left out of the book. With a :class:`~presswork.manuscript.memo.Memo`, a chapter file
unchanged since it was last read is taken as it was read then.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from markdown_it.token import Token

from presswork import ids
from presswork.config import front_matter
from presswork.config.manifest import BookConfig
from presswork.config.provenance import edition_identifier
from presswork.config.text import Sources, read_text
from presswork.errors import ManuscriptError, Report, diagnostic
from presswork.manuscript import markdown, typography
from presswork.manuscript.memo import Memo, listing
from presswork.manuscript.reader import ChapterReader
from presswork.model import (
    Book,
    Chapter,
    Heading,
    Inline,
    Metadata,
    NoteRef,
    Source,
    plain_text,
    walk_inlines,
)
from presswork.suggest import did_you_mean

# A chapter's limits, beyond any report (a long country entry is 30 KB and 40 notes) and
# inside the budgets that benchmarks/stress.py measures (README, "Security and limits"):
# the layout's cost grows faster than the text where it is most tangled (deep indents,
# many notes), and a chapter is laid out by one process.
MAX_CHAPTER_BYTES = 1_000_000
_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)
MAX_NOTE_CALLS = 1_000


# Quotes and lists within each other, at most: markdown-it drops what lies deeper than
# its nesting limit, where a quote takes one level, a list two (the list and its item)
# and the text inside one more. A quote 17 deep, or a list 8 deep, is the deepest taken.
MAX_QUOTES = 17
MAX_LISTS = 8


def _too_deep(tokens: list[Token], path: Path, report: Report) -> None:
    """Nesting near markdown-it's limit, where it would drop the deeper text: say so."""
    limit = markdown.parser().options["maxNesting"] - 1
    for token in tokens:
        if token.level >= limit and token.map:
            report.add(
                diagnostic(
                    "PW604",
                    f"lists or quotes nested too deep: at most {MAX_QUOTES} quotes or "
                    f"{MAX_LISTS} lists within each other (a list counts as two quotes); "
                    "the deeper text would be lost",
                    path,
                    token.map[0] + 1,
                )
            )
            return


def read_chapter(
    path: Path,
    root: Path,
    report: Report,
    sources: Sources | None = None,
    language: str = "en",
) -> Chapter | None:
    text = read_text(path, report, MAX_CHAPTER_BYTES, sources)
    if text is None:
        return None
    try:
        chapter_text = front_matter.split_front_matter(path, text)
    except ManuscriptError as exc:
        report.extend(exc.diagnostics)
        return None
    front = chapter_text.front
    for key, (_, line) in front.items():
        if key not in front_matter.KEYS:
            typo = did_you_mean(key, front_matter.KEYS)
            report.add(
                diagnostic("PW104", f"unknown front matter key '{key}' (ignored){typo}", path, line)
            )
    # Counted before parsing, so that parsing is bounded: every ``[^`` but those that
    # begin a definition (``[^label]:`` at the start of a line).
    calls = chapter_text.body.count("[^") - len(_DEFINITION.findall(chapter_text.body))
    if calls > MAX_NOTE_CALLS:
        report.add(
            diagnostic(
                "PW307",
                f"{calls} footnote calls: a chapter may have at most {MAX_NOTE_CALLS}",
                path,
                1,
            )
        )
        return None
    lines = chapter_text.body.split("\n")
    reader = ChapterReader(path, root, report, lines, quotes=typography.quotes(language))
    tokens = markdown.parse(chapter_text.body, language)
    _too_deep(tokens, path, report)
    blocks = reader.blocks(tokens, 0, len(tokens))
    chapter_id = ids.slugify(path.stem)
    if "id" in front:
        value, line = front["id"]
        if isinstance(value, str) and ids.CHAPTER.fullmatch(value):
            chapter_id = value
        else:
            report.add(
                diagnostic(
                    "PW103",
                    "'id' must be lower-case words of letters and digits joined by single hyphens",
                    path,
                    line,
                )
            )
    if not blocks or not isinstance(blocks[0], Heading) or blocks[0].level != 1:
        report.add(
            diagnostic(
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
                diagnostic(
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
            report.add(diagnostic("PW103", "'running_head' must be text", path, line))
    return Chapter(
        id=chapter_id,
        source=Source(path, title_heading.source.line),
        title=title_heading.children,
        running_head=running_head,
        blocks=body,
        notes=tuple(reader.notes.values()),
    )


def read_notices(
    config: BookConfig, report: Report, sources: Sources | None = None
) -> tuple[tuple[Inline, ...], ...]:
    notices: list[tuple[Inline, ...]] = []
    text = sources.text(config.manifest) if sources else None
    if text is None:  # read apart from a build
        text = config.manifest.read_text(encoding="utf-8")
    lines = text.split("\n")
    quotes = typography.quotes(config.language)
    reader = ChapterReader(config.manifest, config.root, report, lines, quotes=quotes)
    for index, notice in enumerate(config.notices):
        line = config.notice_lines[index] if index < len(config.notice_lines) else 1
        tokens = markdown.parser(config.language).parseInline(notice)
        children = reader.inlines(tokens[0], Source(config.manifest, line))
        for node in walk_inlines(children):
            if isinstance(node, NoteRef):
                reader.problem("PW306", "a notice cannot call a footnote", line, f"[^{node.label}]")
        notices.append(children)
    return tuple(notices)


def _read_chapters_through(
    memo: Memo, config: BookConfig, report: Report, sources: Sources
) -> list[Chapter | None]:
    files = listing(config.root)
    chapters: list[Chapter | None] = []
    for entry in config.chapters:
        data = sources.data(entry.path, MAX_CHAPTER_BYTES)
        key = (
            memo.chapter_key(entry.path, config.root, files, data, config.language)
            if isinstance(data, bytes)
            else None
        )
        kept = None if key is None else memo.load_chapter(key)
        if kept is None:
            findings = Report()
            chapter = read_chapter(entry.path, config.root, findings, sources, config.language)
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
    memo: Memo | None = None,
    sources: Sources | None = None,
) -> Book:
    """Read every chapter, recording problems; chapters that cannot be read are left out.
    With ``memo``, chapters unchanged since they were last read are taken as they were
    read then (:mod:`presswork.manuscript.memo`). ``sources``: the files as the build
    has read them (each file is read once)."""
    sources = sources or Sources()
    if memo is None:
        chapters = [
            read_chapter(entry.path, config.root, report, sources, config.language)
            for entry in config.chapters
        ]
    else:
        chapters = _read_chapters_through(memo, config, report, sources)
    notices = read_notices(config, report, sources)
    seen: dict[str, Path] = {}
    for chapter in chapters:
        if chapter is None:
            continue
        if chapter.id in seen:
            report.add(
                diagnostic(
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
        print_identifier=edition_identifier(identifier, "print", config.isbns),
        slug=config.slug,
        modified=modified,
        subtitle=config.subtitle,
        publisher=config.publisher,
        contributors=config.authors,
        description=config.description,
        subjects=config.subjects,
        rights=config.rights,
        date=config.date or modified.date().isoformat(),
        edition=config.edition,
        isbns=config.isbns,
        page_size=config.page_size,
        toc_depth=config.toc_depth,
        chapter_start=config.chapter_start,
        signature=config.signature,
    )
    return Book(metadata, notices, tuple(c for c in chapters if c is not None), config.root)
