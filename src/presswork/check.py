"""Check a manuscript: every problem in it, each with its file, line and column.

In: a manuscript folder. Out: a :class:`~presswork.errors.Report` of every finding
(errors, warnings, information) and, when the manifest could be read, the resolved book.
The same run serves ``presswork check`` and the first step of ``presswork build``: it
reads and resolves the book as a build would, then applies the rules that look at the
text as typed (typography, characters the shipped typefaces cannot draw, Markdown files
no chapter list names).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontTools

from presswork.config import BookConfig, load_config
from presswork.errors import ManuscriptError, Report, error, info, warning
from presswork.manuscript import read_book
from presswork.model import Book
from presswork.provenance import Provenance, book_identifier, provenance
from presswork.readcache import Memo
from presswork.styles import styles_dir
from presswork.transforms import resolve

FONT_SUFFIXES = (".ttf", ".otf")
COVERAGE = "coverage.json"  # the shipped typefaces' characters, kept in a memo
# What is not prose on a line: code spans, link destinations, heading ids, note labels.
_NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)]*\)|\{#[^}]*\}|\[\^[^\]]*\]")
_STRAIGHT_QUOTE = re.compile(r"[\"']")
_DOUBLE_HYPHEN = re.compile(r"(?<!-)--(?!-)")


@dataclass(frozen=True)
class Checked:
    report: Report
    config: BookConfig | None
    book: Book | None
    provenance: Provenance | None = None


def check(manuscript: Path, memo: Memo | None = None) -> Checked:
    """``memo``: where what is slow to learn and rarely changes (each chapter as read,
    which characters the shipped typefaces cover) is kept between runs; a build passes
    one on its cache folder, and saves it once the check passed."""
    report = Report()
    config = load_config(manuscript, report)
    if config is None:
        return Checked(report, None, None)
    try:
        source = provenance(config)
    except ManuscriptError as exc:
        report.extend(exc.diagnostics)
        return Checked(report, config, None)
    if source.dirty:
        report.add(
            warning(
                "PW110",
                "the manuscript has changes not committed to git: this "
                "build cannot be rebuilt from a commit",
                config.root,
            )
        )
    book = read_book(config, source.date, book_identifier(config), report, memo)
    book = resolve(book, config, report)
    _unlisted(config, report)
    covered = shipped_characters(styles_dir(), memo)
    for entry in config.chapters:
        _text_rules(entry.path, report, covered, prose_only=True)
    _text_rules(config.manifest, report, covered, prose_only=False)
    return Checked(report, config, book, source)


def _unlisted(config: BookConfig, report: Report) -> None:
    listed = {entry.path for entry in config.chapters}
    for path in sorted(config.root.rglob("*.md")):
        relative = path.relative_to(config.root)
        if any(part.startswith(".") for part in relative.parts) or path.resolve() in listed:
            continue
        report.add(info("PW108", f"{relative} is not listed in book.yaml's chapters", path))


def shipped_characters(styles: Path, memo: Memo | None = None) -> frozenset[int]:
    """Every code point some shipped typeface can draw. Reading the fonts' character maps
    takes a tenth of a second; with ``memo``, the answer is kept, under a digest of the
    font files, and read back while they are the same."""
    if memo is None:
        return _coverage(styles)
    digest = hashlib.sha256(f"fontTools {fontTools.version}".encode())
    for font_file in _font_files(styles):
        digest.update(f"{font_file.relative_to(styles)}\0".encode())
        digest.update(hashlib.sha256(font_file.read_bytes()).digest())
    key = digest.hexdigest()
    kept = memo.read(COVERAGE)
    if kept is not None:
        with suppress(ValueError, KeyError, TypeError):
            data = json.loads(kept.decode("utf-8"))
            if data["key"] == key:
                return frozenset(int(c) for c in data["characters"])
    covered = _coverage(styles)
    memo.keep(COVERAGE, json.dumps({"key": key, "characters": sorted(covered)}).encode())
    return covered


def _font_files(styles: Path) -> list[Path]:
    return [f for f in sorted((styles / "fonts").rglob("*")) if f.suffix.lower() in FONT_SUFFIXES]


@cache
def _coverage(styles: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # loaded only when the coverage is not in the cache

    covered: set[int] = set()
    for font_file in _font_files(styles):
        with TTFont(font_file, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def _text_rules(path: Path, report: Report, covered: frozenset[int], prose_only: bool) -> None:
    """Characters no shipped typeface can draw; straight quotes and double hyphens."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return  # reported when the file was read
    # Most files have nothing to report: find that out for the whole file at once.
    missing = {c for c in set(text) if ord(c) >= 0x20 and ord(c) not in covered}
    suspect = prose_only and bool(_STRAIGHT_QUOTE.search(text) or _DOUBLE_HYPHEN.search(text))
    if not missing and not suspect:
        return
    lines = text.split("\n")
    skip = _front_matter_lines(lines) if prose_only else set()
    fenced = False
    for number, line in enumerate(lines, start=1):
        if number in skip:
            continue
        if prose_only and line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not prose_only and line.lstrip().startswith("#"):
            continue  # a YAML comment
        uncovered = {c for c in missing if c in line}
        for col, char in enumerate(line if uncovered else "", start=1):
            if char in uncovered:
                name = unicodedata.name(char, "unnamed character")
                report.add(
                    error(
                        "PW701",
                        f"U+{ord(char):04X} {name} is in no shipped "
                        "typeface: it would print as an empty box",
                        path,
                        number,
                        col,
                    )
                )
        if fenced or not suspect:
            continue
        prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), line)
        for match in _STRAIGHT_QUOTE.finditer(prose):
            curly = "“ ”" if match.group() == '"' else "‘ ’"
            report.add(
                warning(
                    "PW702",
                    f"straight quote {match.group()}: the book's typography uses {curly}",
                    path,
                    number,
                    match.start() + 1,
                )
            )
        for match in _DOUBLE_HYPHEN.finditer(prose):
            report.add(
                warning(
                    "PW703",
                    "double hyphen: use an en dash – or an em dash —",
                    path,
                    number,
                    match.start() + 1,
                )
            )


def _front_matter_lines(lines: list[str]) -> set[int]:
    if not lines or lines[0].rstrip() != "---":
        return set()
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return set(range(1, index + 2))
    return set(range(1, len(lines) + 1))
