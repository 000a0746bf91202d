"""The one way presswork guesses what was meant: the closest known word, or none when
nothing is close, said the same way by every diagnostic."""

from __future__ import annotations

from presswork.suggest import closest, did_you_mean


def test_a_typo_is_matched_to_the_word_it_misspells() -> None:
    keys = ("title", "subtitle", "language", "chapters")
    assert closest("subtitel", keys) == "subtitle"
    assert closest("titel", keys) == "title"
    assert closest("lang", keys) == "language"


def test_nothing_is_suggested_when_no_word_is_close() -> None:
    assert closest("colour", ("title", "subtitle", "language")) is None
    assert closest("x", ("note",)) is None
    assert closest("anything", ()) is None
    assert did_you_mean("colour", ("title", "subtitle")) == ""


def test_case_is_ignored_and_the_known_spelling_given() -> None:
    assert closest("a5", ("A4", "A5", "letter")) == "A5"
    assert closest("Letter", ("A4", "A5", "letter")) == "letter"


def test_the_suggestion_is_shown_as_the_editor_would_type_it() -> None:
    assert did_you_mean("editr", ("author", "editor")) == '; did you mean "editor"?'
    assert did_you_mean("thinn", ["thin"], lambda label: f"[^{label}]") == (
        "; did you mean [^thin]?"
    )
