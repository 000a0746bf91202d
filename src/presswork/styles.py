"""Where the look and feel lives: the ``styles/`` folder (CSS, fonts, cover design).

In: nothing. Out: the folder's path. An installed presswork carries it inside the
package (``presswork/styles``); a source checkout uses the top-level ``styles/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def styles_dir() -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / "styles", package.parent.parent / "styles"):
        if (candidate / "pdf.css").is_file():
            return candidate
    raise FileNotFoundError("presswork's styles folder is missing from this installation")
