"""Books built once per test session, and helpers to read what was built."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from presswork.model import Book

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPT = ROOT / "manuscript"
BOOKS = Path(__file__).resolve().parent / "books"
SEED = ROOT.parent / "shared" / "seed" / "north-korea-2023.txt"
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def run_presswork(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "presswork", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def squash(text: str) -> str:
    """Text with line breaks, hyphenation and spacing removed, for comparing the words
    of a paragraph with what a PDF extractor returns from its justified lines."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


@dataclass
class Built:
    """A book built by the command line into ``output``."""

    output: Path
    slug: str
    result: subprocess.CompletedProcess[str]
    source: Path | None = None
    _cache: dict[str, object] = field(default_factory=dict)

    @property
    def pdf(self) -> Path:
        return self.output / f"{self.slug}.pdf"

    @property
    def print_pdf(self) -> Path:
        return self.output / f"{self.slug}-print.pdf"

    @property
    def epub(self) -> Path:
        return self.output / f"{self.slug}.epub"

    @cached_property
    def pdf_reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    @cached_property
    def pages(self) -> list[str]:
        """The text of each page of the screen PDF."""
        return [page.extract_text() or "" for page in self.pdf_reader.pages]

    @cached_property
    def epub_files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.epub) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    def xhtml(self, name: str) -> etree._Element:
        return etree.fromstring(self.epub_files[name])

    @cached_property
    def opf(self) -> etree._Element:
        return etree.fromstring(self.epub_files["EPUB/content.opf"])

    @cached_property
    def spine_documents(self) -> list[str]:
        """The ePub's XHTML documents in reading order, as archive names."""
        manifest = {
            item.get("id"): item.get("href")
            for item in self.opf.iterfind(".//opf:manifest/opf:item", NS)
        }
        return [
            f"EPUB/{manifest[ref.get('idref')]}"
            for ref in self.opf.iterfind(".//opf:spine/opf:itemref", NS)
        ]


def _build(source: Path, output: Path, slug: str) -> Built:
    result = run_presswork("build", source, "-o", output)
    assert result.returncode == 0, result.stderr
    return Built(output, slug, result, source)


@pytest.fixture(scope="session")
def north_korea(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The North Korea report as `presswork build` makes it."""
    return _build(MANUSCRIPT, tmp_path_factory.mktemp("north-korea"), "north-korea-2023")


@pytest.fixture(scope="session")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A book of three chapters with cross-chapter links and repeated notes."""
    return _build(BOOKS / "multi", tmp_path_factory.mktemp("multi"), "three-entries")


def write_book(root: Path, chapters: dict[str, str], book: str | None = None) -> Path:
    """Write a manuscript into ``root``: the chapters (a name ending otherwise than in
    ``.md`` is another file, written as given) and ``book.yaml`` (default: a title, a
    language and the chapters)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in chapters.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    if book is None:
        listed = "\n".join(f"  - {name}" for name in chapters if name.endswith(".md"))
        book = f"title: Test Book\nlanguage: en-GB\nchapters:\n{listed}\n"
    (root / "book.yaml").write_text(book, encoding="utf-8")
    return root


def resolved(root: Path) -> Book:
    """The book of the manuscript in ``root``, loaded in this process as a build loads
    it (no cache); it must have no error."""
    from presswork.manuscript.load import load_book

    return load_book(root, None).book


@pytest.fixture
def make_book(tmp_path: Path) -> Callable[..., Path]:
    """Write a small manuscript: ``make_book(chapters={"a.md": text}, book=yaml_text)``."""

    def make(chapters: dict[str, str] | None = None, book: str | None = None) -> Path:
        chapters = chapters if chapters is not None else {"a.md": "# A\n\nText.\n"}
        return write_book(tmp_path / "manuscript", chapters, book)

    return make


def write_entries(root: Path, titles: tuple[str, ...]) -> list[str]:
    """Write into ``root`` one copy of the North Korea entry per title, each with its own
    id (``entry-1``…) and title; return their file names in order."""
    text = (MANUSCRIPT / "north-korea.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1].replace("# North Korea 2023", "# {title}", 1)
    names = []
    for number, title in enumerate(titles, start=1):
        name = f"entry-{number}.md"
        chapter = f"---\nid: entry-{number}\n---\n" + body.replace("{title}", title)
        (root / name).write_text(chapter, encoding="utf-8")
        names.append(name)
    return names


@pytest.fixture(scope="session")
def long_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Four entries made from the North Korea text: a book of many pages in which pages
    begin inside paragraphs, in headings and at chapter openings."""
    root = tmp_path_factory.mktemp("long-source")
    names = write_entries(root, ("Alpha Land", "Beta Land", "Gamma Land", "Delta Land"))
    listed = "\n".join(f"  - {n}" for n in names)
    (root / "book.yaml").write_text(
        "title: Four Lands\nlanguage: en-GB\npublisher: Test Publisher\n"
        "notices:\n  - A notice.\n"
        f"chapters:\n{listed}\n",
        encoding="utf-8",
    )
    return _build(root, tmp_path_factory.mktemp("long"), "four-lands")
