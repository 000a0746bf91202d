"""The ePub built beside the PDFs, read as what the PDFs must also say.

In: an ePub edition. Out: its chapters in reading order, each with its headings (level
and words), how many paragraphs it has, and the words of its text (notes, note calls and
page markers left out), as the release gate compares them with the PDF's structure and
text. Words are runs of letters: figures, punctuation and hyphens between them are not
words, so a note's number set against a word, or a hyphen, does not change them.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
NS = {
    "x": XHTML,
    "epub": OPS,
    "opf": OPF,
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
WORD = re.compile(r"[^\W\d_]+")
_LEFT_OUT = "//x:aside | //x:a[@epub:type='noteref'] | //x:span[@epub:type='pagebreak']"


def words(text: str) -> list[str]:
    return WORD.findall(text)


def xpath(element: Any, path: str) -> list[Any]:
    """What an XPath finds under ``element``, as a list (lxml's answer has many types)."""
    found = element.xpath(path, namespaces=NS)
    return list(found) if isinstance(found, list) else []


@dataclass(frozen=True)
class ChapterText:
    name: str
    headings: tuple[tuple[int, str], ...]
    paragraphs: int
    words: tuple[str, ...]


def chapters(epub: Path) -> list[ChapterText]:
    """The ePub's chapters (its documents with an ``epub:type="chapter"`` section), in
    spine order."""
    found = []
    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_name = str(xpath(container, "//*[local-name()='rootfile']/@full-path")[0])
        opf = etree.fromstring(archive.read(opf_name))
        base = opf_name.rpartition("/")[0]
        manifest = {
            str(item.get("id")): str(item.get("href"))
            for item in xpath(opf, ".//opf:manifest/opf:item")
        }
        for ref in xpath(opf, ".//opf:spine/opf:itemref"):
            href = manifest[str(ref.get("idref"))]
            name = f"{base}/{href}" if base else href
            document = etree.fromstring(archive.read(name))
            sections = xpath(document, "//x:section[@epub:type='chapter']")
            if sections:
                found.append(_chapter(name, sections[0]))
    return found


def _drop(element: Any) -> None:
    """Remove ``element``, keeping the text that follows it."""
    parent, previous = element.getparent(), element.getprevious()
    assert parent is not None
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


_BLOCKS = tuple(
    f"{{{XHTML}}}{tag}"
    for tag in (
        *("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "pre"),
        *("caption", "th", "td", "dt", "dd"),
    )
)


def _chapter(name: str, section: Any) -> ChapterText:
    for left_out in xpath(section, _LEFT_OUT):
        _drop(left_out)
    for block in section.iter(*_BLOCKS):  # a block's words end where it ends
        block.tail = " " + (block.tail or "")
    headings = tuple(
        (int(h.tag[-1]), " ".join("".join(h.itertext()).split()))
        for h in section.iter(*(f"{{{XHTML}}}h{n}" for n in range(1, 7)))
    )
    paragraphs = len(xpath(section, ".//x:p"))
    text = "".join(section.itertext())
    return ChapterText(name, headings, paragraphs, tuple(words(text)))
