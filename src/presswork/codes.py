"""The diagnostic codes: every problem presswork reports, in one table.

In: nothing. Out: :data:`CODES`, each :class:`Code` with its severity, what it means and
an example that triggers it. A stage reports a problem by its code alone
(:func:`presswork.errors.diagnostic`), so a code's severity is decided here and nowhere
else; ``docs/diagnostics.md`` holds the same table, which a test compares with this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    """One kind of problem: ``title`` says what it is, ``example`` what typed causes it
    (Markdown, inline: empty where no short example can be given)."""

    code: str
    severity: Severity
    title: str
    example: str = ""


E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: a notice (information)

CODES: dict[str, Code] = {
    code.code: code
    for code in (
        # The manifest and the build's settings
        Code(
            "PW101",
            E,
            "`book.yaml` or a chapter's front matter does not parse (at the YAML error's "
            "line), uses an alias, or its front matter is not closed",
            "`language: en: GB`",
        ),
        Code("PW102", E, "a required key of `book.yaml` is missing", "no `language:` line"),
        Code("PW103", E, "a key has the wrong type or value", "`language: [en]`, `toc_depth: 7`"),
        Code(
            "PW104",
            W,
            "an unknown key in `book.yaml` or front matter, likely a typo",
            "`titel: North Korea`",
        ),
        Code(
            "PW105",
            E,
            "a chapter listed twice, or two chapters with the same id",
            "`- a.md` twice under `chapters`",
        ),
        Code(
            "PW106",
            E,
            "a chapter file that does not exist or lies outside the folder",
            "`- missing.md`",
        ),
        Code(
            "PW107",
            E,
            "no manuscript folder, or no `book.yaml` in it",
            "`presswork check nowhere/`",
        ),
        Code(
            "PW108",
            N,
            "a Markdown file in the folder that no chapter list names",
            "`drafts/old.md`",
        ),
        Code(
            "PW109",
            E,
            "`SOURCE_DATE_EPOCH` is not a whole number of seconds (ASCII digits) from 1980 to 2107",
            "`SOURCE_DATE_EPOCH=yesterday`",
        ),
        Code(
            "PW110",
            W,
            "the manuscript has changes not committed to git: the build cannot be rebuilt "
            "from a commit",
            "an edited chapter not yet committed",
        ),
        Code(
            "PW111",
            W,
            "the commit or file the build takes its date from is dated before 1980 or after "
            "2107: the editions get the nearest date an ePub can record",
            "a chapter saved by a machine whose clock says 2150",
        ),
        # Files
        Code(
            "PW201",
            E,
            "a file that is not UTF-8 (with the byte's offset, line and column)",
            "a Latin-1 `é`",
        ),
        Code(
            "PW202", W, "a byte-order mark at the start of a file", 'a file saved "UTF-8 with BOM"'
        ),
        Code("PW203", E, "a control character", "U+0007 pasted into a sentence"),
        Code(
            "PW204",
            E,
            "a file over its limit (a chapter 1 MB, `book.yaml` 1 MB), not a regular file, "
            "or unreadable",
        ),
        # Notes
        Code(
            "PW301",
            E,
            "a footnote call with no definition",
            "`text.[^gone]` and no `[^gone]:`",
        ),
        Code(
            "PW302",
            W,
            "a footnote defined but never called (left out of the editions)",
            "`[^idle]: …` with no `[^idle]`",
        ),
        Code("PW303", E, "a footnote label defined twice", "two `[^n]:` lines"),
        Code("PW304", E, "an empty footnote", "`[^n]:` with nothing after it"),
        Code(
            "PW305",
            E,
            "a footnote call in a heading (it would break the contents and navigation)",
            "`## Forced labour[^n]`",
        ),
        Code(
            "PW306",
            E,
            "a footnote call inside a footnote, or in a notice",
            "`[^n]: See also.[^m]`",
        ),
        Code("PW307", E, "more than 1,000 footnote calls in one chapter"),
        # Links and headings
        Code(
            "PW401",
            E,
            "a link to a file that is not a chapter of the book",
            "`[China](china.md)` when `china.md` is not listed",
        ),
        Code("PW402", E, "a link to a heading id that does not exist", "`[above](#nowhere)`"),
        Code(
            "PW403",
            E,
            "two headings with the same id in one chapter",
            "`## A {#x}` and `## B {#x}`",
        ),
        Code("PW404", W, "a heading level that skips", "`##` followed by `####`"),
        Code(
            "PW405",
            E,
            "a link scheme other than http, https, mailto and chapter",
            "`[file](ftp://…)`",
        ),
        Code(
            "PW406",
            E,
            "a chapter that does not begin with its `# Title`",
            "text before the first heading",
        ),
        Code("PW407", E, "a second level-1 heading in a chapter", "two `# ` lines"),
        Code(
            "PW408",
            N,
            "a `chapter:` cross-reference to a chapter this book does not contain (set as text)",
            "`[China entry](chapter:china)`",
        ),
        # Figures
        Code(
            "PW501", E, "an image file that does not exist", "`![Map](map.png)` with no `map.png`"
        ),
        Code(
            "PW502",
            E,
            "an image outside the manuscript folder (`../`, an absolute path, a symlink "
            "leading out)",
            "`![Map](../map.png)`",
        ),
        Code("PW503", E, "an image without alt text", "`![](map.png)`"),
        Code("PW504", E, "a remote URL used as an image", "`![Map](https://…/map.png)`"),
        Code(
            "PW505",
            E,
            "an image inside a sentence (a figure stands alone in its paragraph)",
            "`See ![map](map.png) here.`",
        ),
        Code("PW506", E, "an image format an ePub cannot carry", "`![Map](map.bmp)`"),
        Code(
            "PW507",
            E,
            "an image file over 20 MB or 40 megapixels, not of the format its name says, "
            "or damaged (it does not decode whole)",
            "a PNG cut short in a download",
        ),
        Code(
            "PW508",
            E,
            "an SVG that refers to anything outside itself (`http:`, `file:`, another file), "
            "or carries a script, event handlers, a DTD or entities",
            '`<image href="https://…/logo.png"/>` in an SVG',
        ),
        Code(
            "PW509",
            W,
            "a cover image narrower than reading apps want (1400 pixels)",
            "`cover: cover.jpg` of 800 × 1200 pixels",
        ),
        # Markdown
        Code(
            "PW601",
            E,
            "raw HTML (never reaches an edition, as markup or as text)",
            "`<b>bold</b>`, `<div>`",
        ),
        Code("PW602", E, "an unknown `:::` block", "`::: sidebar`"),
        Code("PW603", E, "a Markdown construct presswork does not set"),
        Code(
            "PW604",
            E,
            "quotes nested more than 17 deep, or lists more than 8 (the deeper text would be lost)",
            "30 `>` in a row",
        ),
        # Typography
        Code(
            "PW701",
            E,
            "a character that no shipped typeface can draw (it would print as an empty box), "
            "named by code point",
            "`조선`",
        ),
        Code(
            "PW702",
            W,
            "a straight quote whose meaning cannot be told (an apostrophe, or a quotation "
            "mark that opens or closes nothing): the message names the characters to choose",
            "`'90s`",
        ),
        Code(
            "PW704",
            E,
            "a word of more than 200 characters without a space: no line can hold it",
            "a pasted base64 string",
        ),
        Code(
            "PW705",
            W,
            "a note of more than 4,000 characters (about 650 words, production.toml's "
            "`notes.continued_over`): the PDF sets its start at the foot of the page and "
            "continues it after the chapter's last paragraph",
            "a report pasted into a note",
        ),
        # Making the editions
        Code(
            "PW901",
            E,
            "WeasyPrint warned while laying out the pages (a stylesheet problem), or a "
            "contents page number could not be set",
        ),
        Code("PW902", E, "the output folder cannot be created or written", "`-o /proc/x`"),
        Code("PW903", W, "a note could not be kept on the page of its call"),
        Code(
            "PW904",
            W,
            "WeasyPrint warned while writing the PDF",
            "fonts subset without HarfBuzz's subsetter",
        ),
        Code(
            "PW905", E, "a process laying out or joining pages stopped", "killed for want of memory"
        ),
        Code(
            "PW906",
            E,
            "a note did not fit in the notes area of its page: its start would be cut off",
            "a note of long paragraphs and many short lines",
        ),
        Code(
            "PW907",
            E,
            "`presswork new` was given a folder that is not empty",
            "`presswork new .` in a folder with files",
        ),
    )
}
