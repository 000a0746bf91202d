"""Read a manuscript's Markdown the way an editor sees it: the words of each paragraph,
each heading and each note, without markup. Expected values for the tests come from
here, independently of presswork's own parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

NOTE_DEFINITION = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.|>)\s+")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s*\{#[^}]*\})?\s*$")


@dataclass(frozen=True)
class Chapter:
    path: Path
    title: str
    headings: list[tuple[int, str]]
    paragraphs: list[str]
    notes: dict[str, str]
    calls: list[tuple[str, str]]  # (label, the words just before it, calls numbered)
    numbered: list[str]  # the paragraphs with each note call replaced by its number


def words(markdown: str) -> str:
    text = NOTE_CALL.sub("", markdown)
    text = LINK.sub(r"\1", text)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def read_chapter(path: Path) -> Chapter:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    title, headings, paragraphs, notes, calls, numbered = "", [], [], {}, [], []
    numbers: dict[str, int] = {}
    last_note = None
    for block in blocks:
        first = block.splitlines()[0]
        definition = NOTE_DEFINITION.match(first)
        if definition:
            last_note = definition.group(1)
            notes[last_note] = words(definition.group(2) + " " + " ".join(block.splitlines()[1:]))
            continue
        if block.startswith("    ") and last_note is not None:
            notes[last_note] += " " + words(block)
            continue
        last_note = None
        heading = HEADING.match(first)
        if heading:
            level, words_ = len(heading.group(1)), words(heading.group(2))
            if level == 1:
                title = words_
            else:
                headings.append((level, words_))
            continue
        lines = [line for line in block.splitlines() if not line.startswith(":::")]
        if lines and LIST_ITEM.match(lines[0]):
            pieces = [LIST_ITEM.sub("", line) for line in lines]  # one paragraph per item
        else:
            pieces = ["\n".join(lines)] if lines else []
        for paragraph in pieces:

            def number(match: re.Match[str]) -> str:
                return str(numbers.setdefault(match.group(1), len(numbers) + 1))

            for match in NOTE_CALL.finditer(paragraph):
                before = words(NOTE_CALL.sub(number, paragraph[: match.start()]))
                calls.append((match.group(1), before[-40:]))
                number(match)
            paragraphs.append(words(paragraph))
            numbered.append(words(NOTE_CALL.sub(number, paragraph)))
    return Chapter(path, title, headings, paragraphs, notes, calls, numbered)


def read_book(root: Path) -> tuple[dict[str, object], list[Chapter]]:
    config = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))
    return config, [read_chapter(root / name) for name in config["chapters"]]
