"""Number the footnotes in order of first call, per chapter or through the whole book.

In: a book whose note calls carry only labels. Out: every call carries its note's number
and which call of that note it is; each chapter keeps only the notes it calls, ordered by
number. A call with no definition is an error, which names the closest label (of a note
never called, first); a definition never called is dropped.
"""

from __future__ import annotations

from dataclasses import replace

from presswork.config.manifest import BookConfig
from presswork.errors import Report, diagnostic
from presswork.model import Book, Chapter, Inline, NoteRef
from presswork.suggest import did_you_mean
from presswork.transforms.tree import map_blocks, walk_blocks


def _call(label: str) -> str:
    """A note's call as the editor types it."""
    return f"[^{label}]"


def number_notes(book: Book, config: BookConfig, report: Report) -> Book:
    next_number = 1
    chapters: list[Chapter] = []
    for chapter in book.chapters:
        if config.footnote_numbering == "chapter":
            next_number = 1
        defined = {note.label: note for note in chapter.notes}
        numbers: dict[str, int] = {}
        calls: dict[str, int] = {}
        refs = [node for node in walk_blocks(chapter.blocks) if isinstance(node, NoteRef)]
        called = {ref.label for ref in refs}
        # A call with no note most likely misspells the label of a note never called.
        uncalled = [label for label in defined if label not in called]
        for node in refs:
            if node.label not in defined:
                meant = did_you_mean(node.label, uncalled, _call) or did_you_mean(
                    node.label, defined, _call
                )
                report.add(
                    diagnostic(
                        "PW301",
                        f"footnote {_call(node.label)} is called but never defined{meant}",
                        node.source.path,
                        node.source.line,
                        node.source.col,
                    )
                )
                continue
            if node.label not in numbers:
                numbers[node.label] = next_number
                next_number += 1
            calls[node.label] = calls.get(node.label, 0) + 1
        seen: dict[str, int] = {}

        def numbered(
            node: Inline,
            numbers: dict[str, int] = numbers,
            seen: dict[str, int] = seen,
            chapter_id: str = chapter.id,
        ) -> Inline:
            if isinstance(node, NoteRef) and node.label in numbers:
                seen[node.label] = seen.get(node.label, 0) + 1
                return replace(
                    node, chapter=chapter_id, number=numbers[node.label], call=seen[node.label]
                )
            return node

        for label, note in defined.items():
            if label not in numbers:
                report.add(
                    diagnostic(
                        "PW302",
                        f"footnote [^{label}] is defined but never called "
                        "(left out of the editions)",
                        note.source.path,
                        note.source.line,
                        note.source.col,
                    )
                )
        blocks = map_blocks(chapter.blocks, numbered)
        notes = sorted(
            (
                replace(note, number=numbers[label], calls=calls[label])
                for label, note in defined.items()
                if label in numbers
            ),
            key=lambda note: note.number,
        )
        chapters.append(replace(chapter, blocks=blocks, notes=tuple(notes)))
    return replace(book, chapters=tuple(chapters))
