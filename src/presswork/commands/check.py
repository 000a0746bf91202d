"""Check a manuscript: every problem in it, each with its file, line and column.

In: a manuscript folder. Out: the :class:`~presswork.errors.Report` of loading it
(:func:`presswork.manuscript.load.load`), as a build would load it, without writing
anything.
"""

from __future__ import annotations

from pathlib import Path

from presswork.errors import Report
from presswork.manuscript.load import load


def check(manuscript: Path) -> Report:
    return load(manuscript).report
