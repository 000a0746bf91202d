"""The ISBN rule: an ISBN-13, with or without hyphens or spaces, whose check digit is right.

In: an ISBN as typed in ``book.yaml``. Out: what is wrong with it (``None`` when nothing
is), and its thirteen digits (for ``urn:isbn:``).
"""

from __future__ import annotations

import re

_TYPED = re.compile(r"(?:ISBN[- ]?(?:13)?:?\s*)?([0-9][0-9 -]{11,20}[0-9])")
PREFIXES = ("978", "979")


def digits(typed: str) -> str:
    """The digits of ``typed``, an ISBN that :func:`problem` passed."""
    found = _TYPED.fullmatch(typed.strip())
    return re.sub(r"[ -]", "", found.group(1)) if found else ""


def problem(typed: str) -> str | None:
    """What is wrong with the ISBN ``typed``, or ``None``."""
    number = digits(typed)
    if len(number) != 13 or not number.isdigit():
        return f"'{typed}' is not an ISBN-13 (13 digits, hyphens allowed: 978-0-00-000000-2)"
    if not number.startswith(PREFIXES):
        return f"'{typed}' is not an ISBN-13: it begins with 978 or 979"
    check = check_digit(number[:12])
    if number[12] != check:
        return f"'{typed}' has a wrong check digit: an ISBN beginning so ends in {check}"
    return None


def check_digit(first_twelve: str) -> str:
    """ISBN-13's check digit: weights 1 and 3 in turn, the sum made a multiple of 10."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)
