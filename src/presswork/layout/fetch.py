"""The only way WeasyPrint may read a file: from the manuscript or the styles folder.

In: the folders a build may read. Out: a URL fetcher for WeasyPrint that serves
``file:`` URLs inside those folders and refuses everything else, the network included,
so a manuscript or stylesheet can neither phone home nor read the user's files.
Refused URLs are kept in ``refused`` so the build can report them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher


class LocalFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(
            f"refused {url}: only files inside the manuscript and styles folders are read"
        )
