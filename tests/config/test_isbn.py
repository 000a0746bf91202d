"""The ISBN-13 rule, on ISBNs printed in books and standards' examples (valid ones) and
the same with one thing wrong."""

from __future__ import annotations

import pytest

from presswork.config import isbn

VALID = ["978-0-306-40615-7", "978-3-16-148410-0", "9781402894626", "ISBN 978-1-4028-9462-6"]
INVALID = {
    "978-0-306-40615-8": "check digit",  # the last digit changed
    "978-3-16-148410-9": "check digit",
    "978-0-306-40615": "not an ISBN-13",  # twelve digits
    "977-0-306-40615-7": "begins with 978 or 979",
    "0-306-40615-2": "not an ISBN-13",  # an ISBN-10
    "978-0-306-4O615-7": "not an ISBN-13",  # a letter O for a zero
}


@pytest.mark.parametrize("typed", VALID)
def test_a_valid_isbn_passes_and_gives_its_thirteen_digits(typed: str) -> None:
    assert isbn.problem(typed) is None
    digits = isbn.digits(typed)
    assert len(digits) == 13 and digits.isdigit()
    assert digits == "".join(c for c in typed if c.isdigit())


@pytest.mark.parametrize("typed,problem", INVALID.items())
def test_an_invalid_isbn_says_what_is_wrong(typed: str, problem: str) -> None:
    found = isbn.problem(typed)
    assert found is not None and problem in found and typed in found
