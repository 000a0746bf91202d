"""Give every heading an id: the one typed (``{#id}``) or one made from its words.

In: a book whose headings may lack ids. Out: the same book with a unique id on every
heading of each chapter; two headings typed with the same id are an error, and a heading
that skips a level (## then ####) a warning.
"""

from __future__ import annotations

from dataclasses import replace

from presswork.config.manifest import BookConfig
from presswork.errors import Report, diagnostic
from presswork.ids import DEFAULT_HEADING, numbered, slugify
from presswork.model import Block, Book, Heading


def assign_heading_ids(book: Book, config: BookConfig, report: Report) -> Book:
    chapters = []
    for chapter in book.chapters:
        typed: dict[str, int] = {}
        for block in chapter.blocks:
            if isinstance(block, Heading) and block.id:
                if block.id in typed:
                    report.add(
                        diagnostic(
                            "PW403",
                            f"heading id '{block.id}' is already used on line {typed[block.id]}",
                            block.source.path,
                            block.source.line,
                        )
                    )
                typed.setdefault(block.id, block.source.line)
        level = 1
        for block in chapter.blocks:
            if isinstance(block, Heading):
                if block.level > level + 1:
                    report.add(
                        diagnostic(
                            "PW404",
                            f"heading level skips from {level} to {block.level}",
                            block.source.path,
                            block.source.line,
                            1,
                        )
                    )
                level = block.level
        taken = set(typed)
        blocks: list[Block] = []
        for block in chapter.blocks:
            if isinstance(block, Heading) and not block.id:
                base = slugify(block.plain, DEFAULT_HEADING)
                candidate, n = base, 1
                while candidate in taken:
                    n += 1
                    candidate = numbered(base, n)
                taken.add(candidate)
                block = replace(block, id=candidate)
            blocks.append(block)
        chapters.append(replace(chapter, blocks=tuple(blocks)))
    return replace(book, chapters=tuple(chapters))
