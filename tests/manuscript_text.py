"""Read a manuscript's Markdown the way an editor sees it: the words of each paragraph,
heading, note and figure, without markup. Expected values for the tests come from here,
independently of presswork's own parser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
BLANK_LINE = re.compile(r"\n[ \t]*\n")
NOTE_DEFINITION = re.compile(r"\[\^([^\]]+)\]:[ \t]*")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
IMAGE = re.compile(r'!\[([^\]]*)\]\(\s*(\S+?)(?:\s+"([^"]*)")?\s*\)')
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
STARRED = re.compile(r"(\*{1,2})(\S(?:[^*]*?\S)?)\1")
UNDERSCORED = re.compile(r"(?<!\w)(_{1,2})(\S(?:[^_]*?\S)?)\1(?!\w)")
CODE = re.compile(r"`([^`]*)`")
HEADING = re.compile(r"(#{1,6})\s+(.+?)(?:\s+\{#([^}\s]+)\})?")
THEMATIC_BREAK = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")
LIST_ITEM = re.compile(r"(?:[-*+]|\d+[.)])\s+")
SUMMARY = re.compile(r":::\s*summary")


def plain(markdown: str) -> str:
    """The words of inline Markdown: no note calls, no inline images, link texts without
    their targets, emphasis and code without their marks, spacing collapsed."""
    text = NOTE_CALL.sub("", markdown)
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = STARRED.sub(r"\2", text)
    text = UNDERSCORED.sub(r"\2", text)
    text = CODE.sub(r"\1", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    id: str | None  # the id typed after the heading, `{#id}`; None when presswork makes it


@dataclass(frozen=True)
class Call:
    label: str
    before: str  # the last 40 characters of words before the call, earlier calls numbered


@dataclass(frozen=True)
class Note:
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.paragraphs)


@dataclass(frozen=True)
class Figure:
    """A paragraph that is only an image: `![alt](src "caption")`."""

    alt: str
    src: str  # as written, relative to the chapter's folder
    caption: str
    after: int  # how many of the chapter's paragraphs come before it


@dataclass(frozen=True)
class Chapter:
    path: Path
    title: str
    headings: tuple[Heading, ...]  # levels 2 to 6, in order
    paragraphs: tuple[str, ...]  # summary, body, list items and quotes; figures are not
    summary: tuple[str, ...]  # the paragraphs inside `::: summary`
    numbered: tuple[str, ...]  # the paragraphs with each note call replaced by its number
    figures: tuple[Figure, ...]
    calls: tuple[Call, ...]  # in reading order, a note called twice listed twice
    notes: Mapping[str, Note]  # every definition by label, called or not

    @property
    def call_labels(self) -> list[str]:
        return [call.label for call in self.calls]

    def sections(self) -> list[Heading]:
        return [heading for heading in self.headings if heading.level == 2]

    def note_numbers(self, first: int = 1) -> list[int]:
        """The number shown at each call: notes numbered from ``first`` in order of their
        first call, a note called again keeping its number."""
        numbers: dict[str, int] = {}
        for label in self.call_labels:
            numbers.setdefault(label, first + len(numbers))
        return [numbers[label] for label in self.call_labels]


@dataclass(frozen=True)
class Book:
    config: dict[str, Any]
    chapters: tuple[Chapter, ...]


class _ChapterReader:
    """Reads a chapter block by block (text between blank lines), line by line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.title = ""
        self.headings: list[Heading] = []
        self.paragraphs: list[str] = []
        self.summary: list[str] = []
        self.numbered: list[str] = []
        self.figures: list[Figure] = []
        self.calls: list[Call] = []
        self.notes: dict[str, list[str]] = {}  # label: the Markdown of each paragraph
        self.numbers: dict[str, int] = {}
        self.lines: list[str] = []
        self.in_summary = False
        self.note: str | None = None  # the note an indented block continues

    def chapter(self) -> Chapter:
        notes = {label: Note(tuple(map(plain, texts))) for label, texts in self.notes.items()}
        return Chapter(
            self.path,
            self.title,
            tuple(self.headings),
            tuple(self.paragraphs),
            tuple(self.summary),
            tuple(self.numbered),
            tuple(self.figures),
            tuple(self.calls),
            notes,
        )

    def block(self, block: str) -> None:
        if NOTE_DEFINITION.match(block):
            self.definitions(block)
        elif self.note is not None and block.startswith("    "):
            self.notes[self.note].append(block)
        else:
            self.note = None
            for line in block.splitlines():
                self.line(line.strip())
            self.flush()

    def definitions(self, block: str) -> None:
        for line in block.splitlines():
            if definition := NOTE_DEFINITION.match(line):
                self.note = definition[1]
                self.notes[self.note] = [line[definition.end() :]]
            elif self.note is not None:
                self.notes[self.note][-1] += "\n" + line

    def line(self, line: str) -> None:
        if line.startswith(":::"):
            self.flush()
            self.in_summary = SUMMARY.fullmatch(line) is not None
        elif heading := HEADING.fullmatch(line):
            self.flush()
            self.record_calls(heading[2])
            level, text = len(heading[1]), plain(heading[2])
            if level == 1:
                self.title = text
            else:
                self.headings.append(Heading(level, text, heading[3]))
        elif THEMATIC_BREAK.fullmatch(line):
            self.flush()
        elif item := LIST_ITEM.match(line):
            self.flush()  # one paragraph per item
            self.lines.append(line[item.end() :])
        elif line.startswith(">"):
            if quoted := line.removeprefix(">").strip():
                self.lines.append(quoted)
            else:
                self.flush()
        elif line:
            self.lines.append(line)

    def flush(self) -> None:
        markdown, self.lines = "\n".join(self.lines), []
        if not markdown:
            return
        if image := IMAGE.fullmatch(markdown):
            alt, src, caption = image[1], image[2], image[3] or ""
            figure = Figure(plain(alt), src, " ".join(caption.split()), len(self.paragraphs))
            self.figures.append(figure)
            return
        self.numbered.append(self.record_calls(markdown))
        self.paragraphs.append(plain(markdown))
        if self.in_summary:
            self.summary.append(plain(markdown))

    def number(self, call: re.Match[str]) -> str:
        return str(self.numbers.setdefault(call[1], len(self.numbers) + 1))

    def record_calls(self, markdown: str) -> str:
        """Record the note calls of a paragraph or heading; return its words with each call
        replaced by its number."""
        for call in NOTE_CALL.finditer(markdown):
            before = plain(NOTE_CALL.sub(self.number, markdown[: call.start()]))
            self.calls.append(Call(call[1], before[-40:]))
            self.number(call)
        return plain(NOTE_CALL.sub(self.number, markdown))


def read_chapter(path: Path) -> Chapter:
    reader = _ChapterReader(path)
    text = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
    for block in BLANK_LINE.split(text):
        if block.strip():
            reader.block(block)
    return reader.chapter()


def read_book(root: Path) -> Book:
    config: dict[str, Any] = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))
    return Book(config, tuple(read_chapter(root / name) for name in config["chapters"]))
