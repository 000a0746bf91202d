"""The warm-up a build hands its first layout process, so that the first layout is quick.

In: the manuscript and styles folders. Out: in the process that runs it, WeasyPrint
loaded and the styles parsed, as the first layout would; whether WeasyPrint is loaded.
Kept apart from what it loads, so that handing it to a process loads nothing here.
"""

from __future__ import annotations

import sys
from pathlib import Path


def load_layout(manuscript: Path, styles: Path) -> bool:
    """Load WeasyPrint, pikepdf and the tagging, and parse the styles (see
    :func:`presswork.layout.engine.parse_styles`)."""
    import presswork.pdf.tags  # noqa: F401
    from presswork.cache import environment_key
    from presswork.layout import engine  # WeasyPrint, Pango

    engine.parse_styles(manuscript, styles, environment_key(styles))
    return "weasyprint" in sys.modules
