"""Resolve every link to a URL, a place in the book, or (for a cross-reference to a
chapter this book does not contain) plain text.

In: a book whose links carry the ``href`` typed. Out: the same links with ``url`` or
``anchor`` set. Forms understood:

- ``https://…``, ``http://…``, ``mailto:…``: external links;
- ``other.md``, ``other.md#id``, ``#id``: a chapter file of this book, a heading in it,
  or a heading of the same chapter;
- ``chapter:ID``: the chapter whose id is ``ID``; when the book does not contain it (a
  single entry of a larger report), the link's words are set as plain text.

A link to a chapter file or heading that does not exist is an error, whose message names
the file, heading id or chapter id closest to the one typed.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from presswork.config.manifest import BookConfig
from presswork.errors import Report, diagnostic
from presswork.model import Anchor, Book, Chapter, Heading, Inline, Link
from presswork.suggest import did_you_mean
from presswork.transforms.tree import map_blocks, map_inlines

EXTERNAL_SCHEMES = ("http", "https", "mailto")
CHAPTER_SCHEME = "chapter"


def resolve_links(book: Book, config: BookConfig, report: Report) -> Book:
    by_path = {chapter.source.path: chapter for chapter in book.chapters}
    by_id = {chapter.id: chapter for chapter in book.chapters}
    ids = {
        chapter.id: {b.id for b in chapter.blocks if isinstance(b, Heading)}
        for chapter in book.chapters
    }

    def id_meant(fragment: str, chapter: Chapter, written: str, here: Chapter) -> str:
        """The heading id closest to ``fragment``: in the chapter linked to (its file
        ``written`` as the link wrote it), else in another chapter."""
        meant = did_you_mean(fragment, ids[chapter.id], lambda id_: f"{written}#{id_}")
        if meant:
            return meant
        elsewhere: dict[str, Chapter] = {}
        for other in book.chapters:
            if other is not chapter:
                elsewhere.update((id_, other) for id_ in ids[other.id] if id_ not in elsewhere)
        return did_you_mean(fragment, elsewhere, lambda id_: f"{_href(elsewhere[id_], here)}#{id_}")

    def problem(link: Link, code: str, message: str) -> Link:
        where = link.source
        report.add(
            diagnostic(code, f"link '{link.href}': {message}", where.path, where.line, where.col)
        )
        return link

    def target(link: Link, here: Chapter) -> Link:
        parts = urlsplit(link.href)
        if parts.scheme in EXTERNAL_SCHEMES:
            return replace(link, url=link.href)
        if parts.scheme == CHAPTER_SCHEME:
            if parts.path in by_id:
                return replace(link, anchor=Anchor(parts.path))
            where = link.source
            meant = did_you_mean(parts.path, by_id, lambda id_: f"{CHAPTER_SCHEME}:{id_}")
            report.add(
                diagnostic(
                    "PW408",
                    f"'{parts.path}' is not a chapter of this book: the reference is set as "
                    f"text{meant}",
                    where.path,
                    where.line,
                    where.col,
                )
            )
            return link
        if parts.scheme or parts.netloc:
            return problem(link, "PW405", "only http, https, mailto and chapter: links are allowed")
        chapter = here
        if parts.path:
            path = (link.source.path.parent / unquote(parts.path)).resolve()
            found = by_path.get(path)
            if found is None:
                files = [_href(c, here) for c in book.chapters if c is not here]
                # A file that is there, but not listed, is not a misspelt chapter.
                meant = "" if path.exists() else did_you_mean(unquote(parts.path), files, str)
                return problem(
                    link,
                    "PW401",
                    f"{_relative(path, book.root)} is not a chapter of this book{meant}",
                )
            chapter = found
        fragment = unquote(parts.fragment) or None
        if fragment is not None and fragment not in ids[chapter.id]:
            meant = id_meant(fragment, chapter, parts.path, here)
            return problem(
                link,
                "PW402",
                f"no heading with id '{fragment}' in {chapter.source.path.name}{meant}",
            )
        return replace(link, anchor=Anchor(chapter.id, fragment))

    chapters = []
    for chapter in book.chapters:

        def resolved(node: Inline, here: Chapter = chapter) -> Inline:
            return target(node, here) if isinstance(node, Link) else node

        notes = tuple(replace(n, children=map_blocks(n.children, resolved)) for n in chapter.notes)
        chapters.append(replace(chapter, blocks=map_blocks(chapter.blocks, resolved), notes=notes))
    notices = tuple(map_inlines(notice, _external_only) for notice in book.notices)
    return replace(book, chapters=tuple(chapters), notices=notices)


def _external_only(node: Inline) -> Inline:
    """Notices live in book.yaml, outside any chapter: only external links resolve there."""
    if isinstance(node, Link) and urlsplit(node.href).scheme in EXTERNAL_SCHEMES:
        return replace(node, url=node.href)
    return node


def _href(chapter: Chapter, here: Chapter) -> str:
    """How a link in ``here`` names ``chapter``'s file ("" for ``here`` itself)."""
    if chapter is here:
        return ""
    return Path(os.path.relpath(chapter.source.path, here.source.path.parent)).as_posix()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
