"""The manuscript is the source text, word for word: every sentence in its order, the
notes where the source glued their digits, and none of the web page's residue."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import MANUSCRIPT, SEED
from manuscript_text import read_book

RESIDUE = {"North Korea", "Back to North Korea"}
NOTICE = "Amnesty International takes no position"
SOURCE_NOTE = re.compile(r"^\s*(\d+)\.\s+(.*)$")
GLUED_NOTE = re.compile(r"(?<=[.”’)])(\d)$")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"source text not found at {SEED}")


def source() -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {
        "headings": [],
        "paragraphs": [],
        "notes": [],
        "notices": [],
        "calls": [],
    }
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line in RESIDUE:
            continue
        if line.startswith(NOTICE):
            parts["notices"].append(line)
        elif note := SOURCE_NOTE.match(raw):
            parts["notes"].append(note.group(2))
        elif not re.search(r"[.”:)]$", line) and not GLUED_NOTE.search(line):
            parts["headings"].append(line)
        else:
            call = GLUED_NOTE.search(line)
            if call:
                parts["calls"].append(f"{len(parts['paragraphs'])}:{call.group(1)}")
                line = line[: call.start()]
            parts["paragraphs"].append(line)
    return parts


def test_every_paragraph_of_the_source_in_order_and_nothing_else() -> None:
    chapters = read_book(MANUSCRIPT).chapters
    assert [p for c in chapters for p in c.paragraphs] == source()["paragraphs"]


def test_headings_are_the_source_headings() -> None:
    (chapter,) = read_book(MANUSCRIPT).chapters
    assert [chapter.title] + [h.text for h in chapter.headings] == source()["headings"]


def test_notes_are_the_source_notes_called_where_the_source_calls_them() -> None:
    (chapter,) = read_book(MANUSCRIPT).chapters
    order = list(dict.fromkeys(chapter.call_labels))
    assert [chapter.notes[label].text for label in order] == source()["notes"]
    calls = []
    for index, paragraph in enumerate(chapter.numbered):
        if match := re.search(r"(\d)$", paragraph):
            calls.append(f"{index}:{match.group(1)}")
    assert calls == source()["calls"]


def test_the_map_disclaimer_is_a_publishers_notice() -> None:
    config = yaml.safe_load((MANUSCRIPT / "book.yaml").read_text(encoding="utf-8"))
    assert config["notices"] == source()["notices"]
    (chapter,) = read_book(MANUSCRIPT).chapters
    assert not any(NOTICE in p for p in chapter.paragraphs)


def test_the_china_cross_reference_is_kept_as_one() -> None:
    text = (MANUSCRIPT / "north-korea.md").read_text(encoding="utf-8")
    assert "(see [China entry](chapter:china))." in text


def test_book_metadata_states_only_what_the_source_states() -> None:
    config = yaml.safe_load((MANUSCRIPT / "book.yaml").read_text(encoding="utf-8"))
    assert config["title"] == "North Korea 2023" and config["language"] == "en-GB"
    assert config["publisher"] == "Amnesty International"
    for invented in ("identifier", "authors", "rights", "date"):
        assert invented not in config
