"""The words-whole check: each chapter's words, as the ePub holds them, against the text
of the pages the PDF's outline gives for that chapter. Pages made by hand, then the
built books."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from presswork.release.textchecks import broken_words, chapter_pages, words_whole

from conftest import Built


def test_words_come_whole_in_order() -> None:
    assert broken_words(["the", "relevant", "law"], ["the relevant", "law"]) == []


def test_a_word_broken_at_a_page_turn_is_named_with_both_pages() -> None:
    problems = broken_words(["the", "relevant", "law"], ["the rel", "evant law"], first=5)
    assert problems == ["‘relevant’ broken in two (rel|evant, pages 5 and 6)"]


def test_a_word_broken_on_a_page_and_a_word_missing() -> None:
    expected = ["a", "monitored", "b", "c", "d"]
    assert broken_words(expected, ["a mon itored b d"], first=3) == [
        "‘monitored’ broken in two (mon|itored, page 3)",
        "‘c’ missing (near page 3)",
    ]


@pytest.mark.parametrize("name", ["north_korea", "long_book"])
def test_each_chapter_starts_where_the_outline_says(
    name: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(name)
    starts = chapter_pages(built.pdf)
    pages = [page.extract_text() or "" for page in PdfReader(built.pdf).pages]
    assert len(starts) >= 1
    indexes = [index for _, index in starts]
    assert indexes == sorted(indexes) and indexes[0] > 0  # after the title and contents
    for title, index in starts:
        assert title in " ".join(pages[index].split()), (title, index)
    verdicts = words_whole(built.pdf, built.epub)
    assert [v.passed for v in verdicts] == [True, True], verdicts
