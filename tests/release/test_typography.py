"""The typography measure: over lines as pdftotext places their words, what a production
editor counts. Cases of lines made by hand (so that each count is known), then a PDF that
WeasyPrint sets with a lone last word and hyphens, read back through pdftotext."""

from __future__ import annotations

from pathlib import Path

from presswork.release.typography import Line, measure, measure_lines

PITCH = 14.0
LEFT, RIGHT = 50.0, 450.0


def line(page: int, number: int, text: str, full: bool = True, indent: bool = False) -> Line:
    """A line of body text: its words spread over the measure when ``full`` (justified),
    else set with natural spaces of 3 points."""
    words = text.split()
    left = LEFT + (15 if indent else 0)
    if full and len(words) > 1:
        step = (RIGHT - left) / len(words)
        boxes = [(left + i * step, left + i * step + step - 12, w) for i, w in enumerate(words)]
        boxes[-1] = (boxes[-1][0], RIGHT, words[-1])
    else:
        boxes, x = [], left
        for word in words:
            boxes.append((x, x + 6 * len(word), word))
            x += 6 * len(word) + 3
    return Line(page, 100 + number * PITCH, left, boxes[-1][1], 12.0, tuple(boxes))


def test_each_fault_is_counted_where_it_is() -> None:
    page_one = [
        line(1, 0, "The first paragraph runs over three lines of text and"),
        line(1, 1, "its second line ends in a hyphen where a word is bro-"),
        line(1, 2, "ken and its last line is short.", full=False),
        line(1, 3, "A second paragraph begins here with an indent and", indent=True),
        line(1, 4, "goes on to a line that is hyphenated at the page's en-"),
    ]
    page_two = [
        line(2, 0, "ding and then three hyphenated lines follow, one af-"),
        line(2, 1, "ter another, which a reader finds tiring and ugly, al-"),
        line(2, 2, "most always, in every justified text he reads and fin-"),
        line(2, 3, "ished.", full=False),
        line(2, 4, "A third paragraph, its spaces stretched far beyond", indent=True),
        line(2, 5, "lone", full=False),
    ]
    counts = measure_lines([page_one, page_two])
    assert counts.paragraphs == 3
    assert counts.body_pages == 2
    assert counts.page_turn_hyphens == 1  # "en-" / "ding"
    assert counts.hyphen_runs == 1  # "en-" "af-" "al-" "fin-": one run of three or more
    assert counts.fragment_endings == 1  # "fin-" / "ished."
    assert counts.one_word_last_lines == 2  # "ished." and "lone"
    # Natural spaces are 3 pt (the short last lines); the eight justified lines that are
    # not a paragraph's last (2 + 5 over the page turn + 1) have gaps of 25 pt or more.
    assert counts.loose_lines == 8
    assert not counts.clean


def test_a_line_broken_too_early_is_short() -> None:
    """ "It" alone, and three words spread over the measure, inside a paragraph; a
    paragraph's short last line is not counted."""
    lines = [
        line(1, 0, "It", full=False),
        line(1, 1, "monitored and controlled the channels of communication both"),
        line(1, 2, "in and out of the country. It"),
        line(1, 3, "mon- itored them", full=False),
        line(1, 4, "all year.", full=False),
    ]
    counts = measure_lines([lines])
    assert counts.paragraphs == 1
    assert counts.short_lines == 2  # "It" and "mon- itored them"; not "all year."
    assert not counts.clean


def test_each_list_item_is_a_paragraph_of_its_own() -> None:
    lines = [
        line(1, 0, "• First item", full=False, indent=True),
        line(1, 1, "• Second item", full=False, indent=True),
        line(1, 2, "1. Third item", full=False, indent=True),
    ]
    counts = measure_lines([lines])
    assert counts.paragraphs == 3 and counts.short_lines == 0


def test_a_clean_text_counts_nothing() -> None:
    lines = [
        line(1, 0, "A paragraph of words that fill the measure from edge"),
        line(1, 1, "to edge and end on two words.", full=False),
    ]
    counts = measure_lines([lines])
    assert (counts.page_turn_hyphens, counts.fragment_endings, counts.hyphen_runs) == (0, 0, 0)
    assert counts.one_word_last_lines == 0 and counts.short_lines == 0 and counts.clean


def test_a_pdf_is_read_through_pdftotext(tmp_path: Path) -> None:
    from weasyprint import HTML

    words = " ".join(["word"] * 40)
    html = (
        "<html lang='en'><body style='width: 90mm; font: 11pt serif; text-align: justify'>"
        f"<p>{words}<br>alone</p><p style='text-indent: 2em'>{words} and a last pair</p>"
        "</body></html>"
    )
    path = tmp_path / "sample.pdf"
    HTML(string=html).write_pdf(path)
    counts = measure(path)
    assert counts.paragraphs == 2
    assert counts.one_word_last_lines == 1  # "alone"
    assert counts.hyphenated_lines == 0
