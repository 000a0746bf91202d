"""Give every heading an id: the one typed (``{#id}``) or one made from its words.

In: a book whose headings may lack ids. Out: the same book with a unique id on every
heading of each chapter; two headings typed with the same id are an error.
"""

from __future__ import annotations

from dataclasses import replace

from presswork.config import BookConfig, slugify
from presswork.errors import Diagnostic, ManuscriptError, error
from presswork.model import Block, Book, Heading


def assign_heading_ids(book: Book, config: BookConfig) -> Book:
    problems: list[Diagnostic] = []
    chapters = []
    for chapter in book.chapters:
        typed: dict[str, int] = {}
        for block in chapter.blocks:
            if isinstance(block, Heading) and block.id:
                if block.id in typed:
                    problems.append(
                        error(
                            "PW403",
                            f"heading id '{block.id}' is already used on line {typed[block.id]}",
                            block.source.path,
                            block.source.line,
                        )
                    )
                typed.setdefault(block.id, block.source.line)
        taken = set(typed)
        blocks: list[Block] = []
        for block in chapter.blocks:
            if isinstance(block, Heading) and not block.id:
                base = slugify(block.plain) if block.plain.strip() else "section"
                candidate, n = base, 1
                while candidate in taken:
                    n += 1
                    candidate = f"{base}-{n}"
                taken.add(candidate)
                block = replace(block, id=candidate)
            blocks.append(block)
        chapters.append(replace(chapter, blocks=tuple(blocks)))
    if problems:
        raise ManuscriptError(problems)
    return replace(book, chapters=tuple(chapters))
