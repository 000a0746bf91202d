"""The ePub's package as reading systems and converters read it, beyond what EPUBCheck
requires.

In: an ePub edition. Out: verdicts that its metadata names its author and date (and
says whether it states its rights); that the navigation lists it hides are hidden by its
stylesheet too, so that a converter that ignores the attribute (calibre) leaves them out
of the text; and that its NCX agrees with its navigation document: the same contents at
the same depth, the same page-list, every point numbered in reading order.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

from presswork.release.epubtext import NS, xpath
from presswork.release.verdict import Verdict


class _Package:
    """The archive's package document, its manifest and spine, and its files."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        self.opf_name = str(xpath(container, "//*[local-name()='rootfile']/@full-path")[0])
        self.base = posixpath.dirname(self.opf_name)
        self.opf = etree.fromstring(archive.read(self.opf_name))
        self.items = {
            str(item.get("id")): item for item in xpath(self.opf, ".//opf:manifest/opf:item")
        }
        self.spine = [
            self.name(str(self.items[str(ref.get("idref"))].get("href")))
            for ref in xpath(self.opf, ".//opf:spine/opf:itemref")
        ]

    def name(self, href: str, relative_to: str | None = None) -> str:
        """The archive name of ``href`` (without its fragment), as seen from a file."""
        folder = posixpath.dirname(relative_to) if relative_to else self.base
        return posixpath.normpath(posixpath.join(folder, unquote(href.split("#")[0])))

    def xml(self, name: str) -> Any:
        return etree.fromstring(self.archive.read(name))

    def nav(self) -> str:
        (item,) = [i for i in self.items.values() if "nav" in (i.get("properties") or "").split()]
        return self.name(item.get("href"))


def epub_package(path: Path) -> list[Verdict]:
    with zipfile.ZipFile(path) as archive:
        package = _Package(archive)
        return [_metadata(package, path), _hidden_lists(package, path), _ncx(package, path)]


def _metadata(package: _Package, path: Path) -> Verdict:
    metadata = package.opf.find("opf:metadata", NS)
    assert metadata is not None
    creators = [str(e.text) for e in metadata.iterfind("dc:creator", NS) if (e.text or "").strip()]
    dates = [str(e.text) for e in metadata.iterfind("dc:date", NS) if (e.text or "").strip()]
    rights = [str(e.text) for e in metadata.iterfind("dc:rights", NS) if (e.text or "").strip()]
    problems = []
    if not creators:
        problems.append("no dc:creator (readers show the author as unknown)")
    if not dates:
        problems.append("no dc:date")
    said = f"by {', '.join(creators)}" if creators else ""
    said += f", dated {dates[0]}" if dates else ""
    said += ", rights stated" if rights else ", no rights statement"
    return Verdict(
        "ePub metadata", path.name, not problems, "; ".join(problems) or said.lstrip(", ")
    )


def _hidden_lists(package: _Package, path: Path) -> Verdict:
    import tinycss2

    nav_name = package.nav()
    nav = package.xml(nav_name)
    hidden = xpath(nav, "//x:nav[@hidden]")
    hiding = False
    for sheet in xpath(nav, "//x:link[@rel='stylesheet']/@href"):
        css = package.archive.read(package.name(sheet, nav_name)).decode("utf-8")
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            declarations = tinycss2.parse_declaration_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            none = any(
                d.type == "declaration"
                and d.lower_name == "display"
                and tinycss2.serialize(d.value).strip() == "none"
                for d in declarations
            )
            hiding = hiding or (none and any(s in ("[hidden]", "nav[hidden]") for s in selectors))
    passed = not hidden or hiding
    detail = (
        f"{len(hidden)} hidden navigation lists, hidden by the stylesheet too"
        if passed
        else f"{len(hidden)} hidden navigation lists that a converter would print as text"
    )
    return Verdict("ePub hidden navigation", path.name, passed, detail)


def _nav_entries(package: _Package, nav_name: str, kind: str) -> list[tuple[str, str, int]]:
    """(label, archive name#fragment, depth) of the links of the navigation's ``kind``
    list, in order."""
    nav = package.xml(nav_name)
    found = []
    for link in xpath(nav, f"//x:nav[@epub:type='{kind}']//x:a"):
        href = link.get("href")
        fragment = href.partition("#")[2]
        target = package.name(href, nav_name) + (f"#{fragment}" if fragment else "")
        depth = len(xpath(link, "ancestor::x:ol"))
        found.append((" ".join("".join(link.itertext()).split()), target, depth))
    return found


def _reading_positions(package: _Package) -> dict[str, tuple[int, int]]:
    """Each file of the spine, and each id in it, with where it is read."""
    positions = {}
    for index, name in enumerate(package.spine):
        positions[name] = (index, -1)
        for order, element in enumerate(package.xml(name).iter()):
            if element.get("id"):
                positions[f"{name}#{element.get('id')}"] = (index, order)
    return positions


def _ncx(package: _Package, path: Path) -> Verdict:
    spine = package.opf.find("opf:spine", NS)
    toc_id = spine.get("toc") if spine is not None else None
    if toc_id not in package.items:
        return Verdict("ePub NCX", path.name, False, "no NCX named by the spine")
    ncx_name = package.name(package.items[toc_id].get("href"))
    ncx = package.xml(ncx_name)
    nav_name = package.nav()
    problems = []

    def target(point: Any) -> str:
        src = point.find("ncx:content", NS).get("src")
        fragment = src.partition("#")[2]
        return package.name(src, ncx_name) + (f"#{fragment}" if fragment else "")

    def label(point: Any) -> str:
        return " ".join("".join(point.find("ncx:navLabel", NS).itertext()).split())

    points = xpath(ncx, "//ncx:navMap//ncx:navPoint")
    toc = _nav_entries(package, nav_name, "toc")
    got = [(label(p), target(p), len(xpath(p, "ancestor-or-self::ncx:navPoint"))) for p in points]
    if got != toc:
        problems.append("its navigation points are not the navigation document's contents")
    head = {str(m.get("name")): str(m.get("content")) for m in xpath(ncx, "ncx:head/ncx:meta")}
    depth = head.get("dtb:depth", "")
    deepest = max((d for _, _, d in toc), default=0)
    if depth != str(deepest):
        problems.append(f"dtb:depth {depth or 'missing'} for contents {deepest} deep")
    targets = xpath(ncx, "//ncx:pageList/ncx:pageTarget")
    pages = _nav_entries(package, nav_name, "page-list")
    if [(label(t), target(t)) for t in targets] != [(lb, tg) for lb, tg, _ in pages]:
        problems.append("its page list is not the navigation document's page-list")
    numbers = [int(lb) for lb, _, _ in pages if lb.isdigit()]
    if head.get("dtb:totalPageCount") != str(len(pages)) or head.get("dtb:maxPageNumber") != str(
        max(numbers, default=0)
    ):
        problems.append("dtb:totalPageCount or dtb:maxPageNumber disagree with the page list")
    ordered = [(p, target(p)) for p in [*points, *targets]]
    orders = [int(p.get("playOrder", 0)) for p, _ in ordered]
    if sorted(orders) != list(range(1, len(ordered) + 1)):
        problems.append("playOrder is not 1, 2, 3… over every point")
    positions = _reading_positions(package)
    by_order = [t for _, t in sorted(zip(orders, (t for _, t in ordered), strict=True))]
    read = [positions.get(t) for t in by_order]
    if None in read or read != sorted(read):  # type: ignore[type-var]
        problems.append("playOrder does not follow the reading order")
    detail = (
        "; ".join(problems)
        or f"{len(points)} points {depth} deep, {len(targets)} pages, in reading order"
    )
    return Verdict("ePub NCX", path.name, not problems, detail)
