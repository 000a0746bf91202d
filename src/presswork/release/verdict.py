"""One verdict of the release gate.

In: a check's name, the file it looked at, whether it passed and what it found. Out: a
:class:`Verdict`, printed as a row of ``presswork verify``'s table or as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Verdict:
    check: str
    file: str
    passed: bool | None  # None: the validator is not installed here, or had nothing to see
    detail: str
    validator: str | None = None  # a validator that may be missing (validators.toml)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
