"""The book's manifest, ``book.yaml``: its keys, their types, and their validation.

In: the manuscript folder. Out: a frozen :class:`BookConfig`, or a
:class:`~presswork.errors.ManuscriptError` listing every problem in the manifest at once
(wrong types, missing keys, unknown keys, missing chapter files), each with its line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presswork.config import isbn
from presswork.config.chapter_files import ChapterEntry, chapter_files
from presswork.config.safe_yaml import MAX_YAML_BYTES, load_mapping
from presswork.config.text import Sources, read_text
from presswork.errors import ManuscriptError, Report, diagnostic
from presswork.ids import slugify
from presswork.model import ROLES, Contributor
from presswork.suggest import did_you_mean

MANIFEST_NAME = "book.yaml"

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LENGTH = r"[0-9]+(?:\.[0-9]+)?(?:mm|cm|in|pt)"
PAGE_SIZES = ("A3", "A4", "A5", "B5", "letter", "legal")  # by name; or a width and height
_PAGE_SIZE = re.compile(rf"{'|'.join(PAGE_SIZES)}|{_LENGTH} {_LENGTH}")
FOOTNOTE_NUMBERING = ("chapter", "book")
CHAPTER_STARTS = ("any", "right")
TOC_DEPTHS = range(1, 4)  # the heading levels the contents can list
SIGNATURES = (4, 8, 16, 32)  # the pages of the sheets a printer folds
COVER_IMAGE = re.compile(r"[^\0]+\.(?:jpg|jpeg|png|JPG|JPEG|PNG)")
_DATE = re.compile(r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?")


@dataclass(frozen=True)
class BookConfig:
    """Everything ``book.yaml`` says, validated. Paths are absolute."""

    root: Path
    manifest: Path
    title: str
    language: str
    chapters: tuple[ChapterEntry, ...]
    slug: str
    subtitle: str | None = None
    publisher: str | None = None
    authors: tuple[Contributor, ...] = ()
    identifier: str | None = None
    description: str | None = None
    subjects: tuple[str, ...] = ()
    rights: str | None = None
    date: str | None = None
    edition: str | None = None
    isbns: tuple[tuple[str, str], ...] = ()  # by edition name; "" for every edition
    cover: Path | None = None  # a cover image, as named (not yet checked)
    cover_line: int = 0
    notices: tuple[str, ...] = ()
    notice_lines: tuple[int, ...] = ()
    footnote_numbering: str = "chapter"
    page_size: str = "A4"
    toc_depth: int = 2
    chapter_start: str = "any"
    signature: int = 1


@dataclass(frozen=True)
class _Rule:
    """What a value must be: ``accepts`` tells, ``expects`` says it in words (the same
    words whether the type or the value is wrong), ``words`` are the words allowed, of
    which the closest to a wrong one is suggested."""

    accepts: Callable[[Any], bool]
    expects: str
    words: tuple[str, ...] = ()

    def problem(self, value: Any) -> str | None:
        if self.accepts(value):
            return None
        typed = did_you_mean(value, self.words) if isinstance(value, str) else ""
        return f"must be {self.expects}{typed}"


@dataclass(frozen=True)
class _Key:
    """One manifest key: what it holds and how to check it. ``example``: for a list, an
    item as typed, shown when the value is not a list."""

    kind: str
    doc: str
    required: bool = False
    rule: _Rule | None = None
    example: str = ""


def _matches(pattern: re.Pattern[str], expects: str, words: tuple[str, ...] = ()) -> _Rule:
    # The whole value, and ASCII only: "evil\n" is no slug, "２０２４" no year.
    return _Rule(lambda v: isinstance(v, str) and bool(pattern.fullmatch(v)), expects, words)


def _one_of(options: tuple[str, ...]) -> _Rule:
    return _Rule(lambda v: v in options, f"one of: {', '.join(options)}", options)


def _integer(allowed: range | tuple[int, ...], expects: str) -> _Rule:
    return _Rule(lambda v: type(v) is int and v in allowed, expects)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    if len(value) == len("2024-05-01"):  # a day the calendar has: not 2024-02-30
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
    return True


def _or(words: list[str]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}"


KEYS: dict[str, _Key] = {
    "title": _Key("text", "The book's title, on the title page, cover and metadata.", True),
    "language": _Key(
        "text",
        "BCP 47 language tag (en-GB): hyphenation, lang attributes, metadata.",
        True,
        _matches(_LANGUAGE, "a BCP 47 language tag such as en-GB"),
    ),
    "chapters": _Key(
        "list of paths",
        "Chapter files in reading order, relative to book.yaml.",
        True,
        example="introduction.md",
    ),
    "slug": _Key(
        "text",
        "File name stem of the editions; default: the title in lower case.",
        False,
        _matches(_SLUG, "lower-case words joined by hyphens, such as annual-report-2024"),
    ),
    "subtitle": _Key("text", "Shown under the title on the title page and cover."),
    "publisher": _Key("text", "Publisher: dc:publisher, the PDF author when no authors."),
    "authors": _Key(
        "contributors",
        "Who the book is by: names, or mappings with 'name' and 'role' (author, editor, "
        "translator): title page, cover, dc:creator and dc:contributor, the PDF's author.",
        example="Jane Doe",
    ),
    "edition": _Key("text", "The edition, as the imprint page states it: 'Second edition'."),
    "isbn": _Key(
        "isbn",
        "An ISBN-13 for every edition, or one per edition as a mapping with the keys pdf, "
        "print and epub: imprint page, metadata, the ePub's identifier.",
    ),
    "cover": _Key(
        "text",
        "A cover image (JPEG or PNG, at least 1400 pixels wide), in place of the cover "
        "presswork draws: the ePub's cover.",
        False,
        _matches(
            COVER_IMAGE,
            "a .jpg, .jpeg or .png file inside the manuscript folder, such as cover.jpg",
        ),
    ),
    "identifier": _Key(
        "text",
        "Stable identifier (ISBN as urn:isbn:…, DOI, URN); "
        "default: a UUID derived from slug, title and language.",
    ),
    "description": _Key("text", "A sentence or two about the book: PDF subject, dc:description."),
    "subjects": _Key("list of text", "Subjects: dc:subject, PDF keywords.", example="history"),
    "rights": _Key("text", "Copyright or licence statement: dc:rights, imprint page."),
    "date": _Key(
        "date",
        "Publication date, YYYY, YYYY-MM or YYYY-MM-DD: dc:date; default: the build's date.",
        False,
        _Rule(_is_date, "a year, a month or a day, such as 2024, 2024-05 or 2024-05-01"),
    ),
    "notices": _Key(
        "list of text",
        "Publisher's notices set on the imprint page (inline Markdown).",
        example="Printed on recycled paper.",
    ),
    "footnote_numbering": _Key(
        "text", "'chapter' (restart in each chapter) or 'book'.", False, _one_of(FOOTNOTE_NUMBERING)
    ),
    "page_size": _Key(
        "text",
        "A4, A5, B5, letter, legal, or 'WIDTH HEIGHT' in mm/cm/in/pt.",
        False,
        _matches(
            _PAGE_SIZE,
            f"{', '.join(PAGE_SIZES)}, or a width and height in mm, cm, in or pt such as "
            "'170mm 240mm'",
            PAGE_SIZES,
        ),
    ),
    "toc_depth": _Key(
        "integer",
        "Heading levels listed in the contents (1 to 3).",
        False,
        _integer(TOC_DEPTHS, f"an integer from {TOC_DEPTHS[0]} to {TOC_DEPTHS[-1]}"),
    ),
    "chapter_start": _Key(
        "text",
        "'right' (each chapter opens on a right-hand page, a blank page before it where "
        "needed) or 'any'.",
        False,
        _one_of(CHAPTER_STARTS),
    ),
    "signature": _Key(
        "integer",
        "Pages per folded sheet (4, 8, 16 or 32): the print edition ends with blank pages "
        "up to a multiple of it.",
        False,
        _integer(SIGNATURES, _or([str(pages) for pages in SIGNATURES])),
    ),
}


def _as_date(value: Any) -> Any:
    """A date as YAML reads it (2024 a number, 2024-04-24 a date), as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


EDITIONS = ("pdf", "print", "epub")  # the keys of a per-edition 'isbn' mapping
CONTRIBUTOR_KEYS = ("name", "role")


def _contributors_problem(value: list[Any]) -> tuple[int, str] | None:
    """What is wrong with a list of contributors, and at which item (from 0)."""
    for index, item in enumerate(value):
        number = index + 1
        if isinstance(item, str) and item.strip():
            continue
        if not isinstance(item, dict):
            return index, f"item {number} must be a name, or a mapping with 'name' and 'role'"
        unknown = sorted(str(k) for k in item if k not in CONTRIBUTOR_KEYS)
        if unknown:
            known = ", ".join(CONTRIBUTOR_KEYS)
            typo = did_you_mean(unknown[0], CONTRIBUTOR_KEYS)
            return index, f"item {number} has an unknown key '{unknown[0]}' (known: {known}){typo}"
        if not isinstance(item.get("name"), str):
            return index, f"item {number} must be a name, or a mapping with 'name' and 'role'"
        if not item["name"].strip():
            return index, f"item {number} has an empty name"
        role = item.get("role", "author")
        if role not in ROLES:
            typed = did_you_mean(role, ROLES) if isinstance(role, str) else ""
            return index, f"item {number}: role must be one of: {', '.join(ROLES)}{typed}"
    return None


def _isbn_problem(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return isbn.problem(value)
    if not isinstance(value, dict) or not value:
        return "must be an ISBN-13, or a mapping of editions (pdf, print, epub) to ISBNs"
    for edition, typed in value.items():
        if edition not in EDITIONS:
            typo = did_you_mean(str(edition), EDITIONS)
            return f"names an edition '{edition}' (editions: {', '.join(EDITIONS)}){typo}"
        found = isbn.problem(str(typed))
        if found is not None:
            return f"for {edition}: {found}"
    return None


def _list_problem(name: str, key: _Key, value: Any) -> tuple[int, str] | None:
    """What is wrong with a list, and at which item (from 0; -1: the list itself). A
    value that is no list is shown as the list it should be, the text typed its item."""
    if isinstance(value, list) and key.kind == "contributors":
        return _contributors_problem(value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                return index, f"item {index + 1} must be non-empty text"
        return None
    what = key.kind.removeprefix("list of ")
    if key.kind == "contributors":
        what = "names or of mappings with 'name' and 'role'"
    typed = value.strip() if isinstance(value, str) else ""
    item = typed if typed and "\n" not in typed else key.example
    return -1, f'must be a list of {what}, written "- {item}" on the lines under "{name}:"'


def _problem(name: str, key: _Key, value: Any) -> tuple[int, str] | None:
    """What is wrong with the value of key ``name``, and at which item of a list (from 0;
    -1: the value itself)."""
    if key.kind in ("contributors", "list of text", "list of paths"):
        return _list_problem(name, key, value)
    if key.rule is not None:
        found = key.rule.problem(value)
    elif key.kind == "isbn":
        found = _isbn_problem(value)
    elif key.kind == "text":
        found = None if isinstance(value, str) and value.strip() else "must be non-empty text"
    else:
        raise AssertionError(key.kind)
    return None if found is None else (-1, found)


def load_config(root: Path, report: Report, sources: Sources | None = None) -> BookConfig | None:
    """Read and validate ``root/book.yaml``, recording every problem in ``report``.

    Returns ``None`` only when there is no manifest to speak of (no folder, no file, or
    YAML that does not parse); otherwise a configuration in which invalid values are
    replaced by defaults, so that the chapters can still be checked.
    """
    root = root.resolve()
    if not root.is_dir():
        report.add(diagnostic("PW107", "manuscript folder not found", root))
        return None
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        report.add(diagnostic("PW107", f"no {MANIFEST_NAME} in the manuscript folder", manifest))
        return None
    text = read_text(manifest, report, MAX_YAML_BYTES, sources)
    if text is None:
        return None
    try:
        mapping = load_mapping(text, manifest)
    except ManuscriptError as exc:
        report.extend(exc.diagnostics)
        return None
    values: dict[str, Any] = {}
    for name, entry in mapping.entries.items():
        key = KEYS.get(name)
        if key is None:
            typo = did_you_mean(name, KEYS)
            report.add(
                diagnostic("PW104", f"unknown key '{name}' (ignored){typo}", manifest, entry.line)
            )
            continue
        value = _as_date(entry.value) if key.kind == "date" else entry.value
        problem = _problem(name, key, value)
        if problem is not None:
            item, said = problem
            line = entry.line
            if 0 <= item < len(entry.item_lines):
                line = entry.item_lines[item]  # the item's line, not the key's
            report.add(diagnostic("PW103", f"'{name}' {said}", manifest, line))
        else:
            values[name] = value
    for name, key in KEYS.items():
        if key.required and name not in mapping.entries:
            report.add(
                diagnostic("PW102", f"required key '{name}' is missing", manifest, mapping.line)
            )
    chapters = chapter_files(mapping, values.get("chapters"), root, report)
    title = values.get("title", "Untitled").strip()
    return BookConfig(
        root=root,
        manifest=manifest,
        title=title,
        language=values.get("language", "en"),
        chapters=chapters,
        slug=values.get("slug") or slugify(title),
        subtitle=values.get("subtitle"),
        publisher=values.get("publisher"),
        authors=tuple(_contributor(item) for item in values.get("authors", ())),
        identifier=values.get("identifier"),
        description=values.get("description"),
        subjects=tuple(values.get("subjects", ())),
        rights=values.get("rights"),
        date=values.get("date"),
        edition=values.get("edition"),
        isbns=_isbns(values.get("isbn")),
        cover=root / values["cover"] if "cover" in values else None,
        cover_line=mapping.entries["cover"].line if "cover" in values else 0,
        notices=tuple(values.get("notices", ())),
        notice_lines=mapping.entries["notices"].item_lines if "notices" in values else (),
        footnote_numbering=values.get("footnote_numbering", "chapter"),
        page_size=values.get("page_size", "A4"),
        toc_depth=values.get("toc_depth", 2),
        chapter_start=values.get("chapter_start", "any"),
        signature=values.get("signature", 1),
    )


def _contributor(item: str | dict[str, str]) -> Contributor:
    if isinstance(item, str):
        return Contributor(item.strip())
    return Contributor(item["name"].strip(), item.get("role", "author"))


def _isbns(value: str | int | dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """Each edition's ISBN as typed, by edition ("" for one ISBN of every edition)."""
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(
            (edition, str(value[edition]).strip()) for edition in EDITIONS if edition in value
        )
    return (("", str(value).strip()),)
