"""The synthetic annual report the benchmark builds, for presswork and for pandoc.

In: the seed chapter (the North Korea entry, its front matter split off) and a number of
entries N. Out: a presswork manuscript of N entries (``book.yaml`` and ``entry-001.md``…)
and one pandoc Markdown file of the same N entries, each with its own id and title.

Entry 1 is the seed as it is; every other entry is varied, the same way on every run
(the entry's number seeds it): within each section its paragraphs are shuffled, and in
each paragraph a word or two is left out or added. A report of one entry repeated would
break its lines the same way in every entry, so that a count of what its lines do
(hyphens at page turns, one-word last lines) would be one sample repeated; varied, the
entries are different samples of the same prose.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

EDITED_WORD = ("draconian", "repressive")  # in entry 1, which is not varied
ADDED_WORDS = ("also", "further", "still", "reportedly", "again", "indeed", "notably")

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
_HEADING_ID = re.compile(r"\{#([A-Za-z][\w-]*)\}")
_CHAPTER_LINK = re.compile(r"\[([^\]]+)\]\(chapter:[^)]+\)")
_PLAIN_WORD = re.compile(r"^[a-z]{3,}$")


def vary(body: str, number: int) -> str:
    """Entry ``number``'s text: the seed's, its paragraphs shuffled within each section and
    each paragraph a word or two shorter or longer. Headings, the summary and the notes'
    definitions stay as they are and where they are."""
    if number == 1:
        return body
    rng = random.Random(number)
    blocks = body.split("\n\n")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        rng.shuffle(run)
        out.extend(_vary_words(p, rng) for p in run)
        run.clear()

    for block in blocks:
        stripped = block.strip()
        plain = stripped and not stripped.startswith(("#", ":::", "[^", "-", ">", "!"))
        if plain and "\n:::" not in stripped:
            run.append(block)
        else:
            flush()
            out.append(block)
    flush()
    return "\n\n".join(out)


def _vary_words(paragraph: str, rng: random.Random) -> str:
    words = paragraph.split(" ")
    for _ in range(rng.randint(0, 2)):
        plain = [i for i, w in enumerate(words) if i > 0 and _PLAIN_WORD.match(w)]
        if plain:
            del words[rng.choice(plain)]
    for _ in range(rng.randint(0, 2)):
        at = rng.randint(1, max(1, len(words) - 1))
        if _PLAIN_WORD.match(words[at - 1].strip(",.;:")) or at == 1:
            words.insert(at, rng.choice(ADDED_WORDS))
    return " ".join(words)


def _split_seed(seed: str) -> str:
    """The seed chapter without its front matter."""
    match = _FRONT_MATTER.match(seed)
    return seed[match.end() :] if match else seed


def _retitle(body: str, title: str) -> str:
    """Replace the chapter's level-1 heading (its first line starting with ``# ``)."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            lines[index] = f"# {title}"
            return "\n".join(lines)
    raise ValueError("the seed chapter has no level-1 heading")


def presswork_entry(body: str, number: int) -> str:
    """One presswork chapter: the seed body, varied, with its own id and title."""
    return f"---\nid: entry-{number}\n---\n" + _retitle(vary(body, number), f"Entry {number}")


def pandoc_entry(body: str, number: int) -> str:
    """One entry for the concatenated pandoc document, with labels and ids made unique."""
    prefix = f"e{number}-"
    text = _retitle(vary(body, number), f"Entry {number} {{#entry-{number}}}")
    text = _NOTE_LABEL.sub(lambda m: f"[^{prefix}{m.group(1)}]", text)
    text = _HEADING_ID.sub(
        lambda m: m.group(0) if m.group(1).startswith("entry-") else f"{{#{prefix}{m.group(1)}}}",
        text,
    )
    # presswork sets a chapter: link to a chapter the book lacks as plain text; so does this.
    return _CHAPTER_LINK.sub(lambda m: m.group(1), text)


PUBLISHER = "Amnesty International"  # both books name the seed's publisher


def book_title(entries: int) -> str:
    return f"Synthetic Annual Report, {entries} entries"


def write_presswork_manuscript(folder: Path, body: str, entries: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"entry-{n:03d}.md" for n in range(1, entries + 1)]
    for number, name in enumerate(names, start=1):
        (folder / name).write_text(presswork_entry(body, number), encoding="utf-8")
    chapters = "".join(f"  - {name}\n" for name in names)
    (folder / "book.yaml").write_text(
        f'title: "{book_title(entries)}"\npublisher: {PUBLISHER}\nlanguage: en-GB\n'
        f"slug: report\nchapters:\n{chapters}",
        encoding="utf-8",
    )


def write_pandoc_manuscript(path: Path, body: str, entries: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f'---\ntitle: "{book_title(entries)}"\nauthor: {PUBLISHER}\nlang: en-GB\n---\n\n'
    parts = [pandoc_entry(body, number).strip("\n") for number in range(1, entries + 1)]
    path.write_text(header + "\n\n".join(parts) + "\n", encoding="utf-8")


def edit_one_word(chapter: Path) -> None:
    """Change one word in a chapter (the first occurrence of ``EDITED_WORD[0]``)."""
    old, new = EDITED_WORD
    text = chapter.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"{chapter}: the word {old!r} to edit is not there")
    chapter.write_text(text.replace(old, new, 1), encoding="utf-8")
