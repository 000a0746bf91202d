"""The validators ``presswork verify`` runs that may be missing, and what to say of one.

In: a validator's name (a table of ``validators.toml``) and the verdict's check and
file; whether presswork runs from its source folder or was installed as a package. Out:
the verdict for a validator that is not installed: skipped, with the way to install it
that fits how presswork was installed; or failed, where ``--require`` names it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from presswork.release.verdict import Verdict

_TABLE = Path(__file__).with_name("validators.toml")


@cache
def validators() -> dict[str, dict[str, str]]:
    with _TABLE.open("rb") as table:
        return tomllib.load(table)


def names() -> tuple[str, ...]:
    return tuple(validators())


def from_checkout() -> bool:
    """Whether presswork runs from its source folder, where ``scripts/setup`` is."""
    return (Path(__file__).resolve().parents[3] / "scripts" / "setup").is_file()


def install_hint(name: str) -> str:
    validator = validators()[name]
    return validator["checkout" if from_checkout() else "installed"]


def missing(name: str, check: str, file: str) -> Verdict:
    """The verdict of a check whose validator is not installed: skipped, unless the
    verification requires it (:func:`required`)."""
    return Verdict(check, file, None, f"not installed: {install_hint(name)}", name)


def required(verdicts: list[Verdict], names: frozenset[str]) -> list[Verdict]:
    """The verdicts, where a validator that ``names`` requires was skipped for want of
    it, failed."""
    return [
        Verdict(v.check, v.file, False, v.detail + " (required)", v.validator)
        if v.passed is None and v.validator in names
        else v
        for v in verdicts
    ]
