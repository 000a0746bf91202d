"""What a tagged PDF edition must be, read with pikepdf.

In: a PDF edition (and, to compare with, the ePub built beside it). Out: verdicts on its
structure: language, title, PDF/UA identification, a structure tree whose every
marked-content sequence is owned by exactly one element that the parent tree names,
figures with alternate text, notes as ``Note`` elements whose calls land on their page,
embedded fonts, no two font dictionaries under one name, links with a rectangle and a
description a person can read, trim and bleed boxes on the print edition; and the
tree against the ePub's text: one ``Sect`` a chapter, one ``P`` a paragraph, the same
headings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf

from presswork import ids
from presswork.pdf.trees import kids, name_tree, number_tree
from presswork.release.verdict import Verdict


def _struct(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    if isinstance(root, pikepdf.Dictionary) and "/S" in root:
        yield root
    kids = root.get("/K") if isinstance(root, pikepdf.Dictionary) else None
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        yield from _struct(kid)


def _marked_content_problems(pdf: Any, elements: list[Any]) -> list[str]:
    """Where the pages' marked content and the structure tree disagree: a sequence no
    element claims (or two do), an element claiming one no page has, or a parent tree
    that names another element than the one claiming it."""
    problems: list[str] = []
    numbers = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
    owners: dict[tuple[int, int], Any] = {}
    for element in elements:
        for item in kids(element):
            if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR":
                page, mcid = item.get("/Pg", element.get("/Pg")), int(item.MCID)
            elif isinstance(item, int):
                page, mcid = element.get("/Pg"), item
            else:
                continue
            number = numbers.get(page.objgen) if page is not None else None
            if number is None:
                problems.append(f"a {element.S} element claims content on no page of the PDF")
                continue
            if (number, mcid) in owners:
                problems.append(f"two elements claim marked content {mcid} of page {number}")
            owners[(number, mcid)] = element
    tree = pdf.Root.StructTreeRoot
    parents = dict(number_tree(tree.ParentTree)) if "/ParentTree" in tree else {}
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        listed = parents.get(int(page.get("/StructParents", -1)))
        for instruction in pikepdf.parse_content_stream(page, "BDC"):
            operands = instruction.operands
            properties = operands[1] if len(operands) > 1 else None
            if not isinstance(properties, pikepdf.Dictionary) or "/MCID" not in properties:
                continue
            mcid = int(properties.MCID)
            seen.add((number, mcid))
            owner = owners.get((number, mcid))
            if owner is None:
                problems.append(f"marked content {mcid} of page {number} is in no element")
                continue
            named = (
                listed[mcid] if isinstance(listed, pikepdf.Array) and mcid < len(listed) else None
            )
            if not isinstance(named, pikepdf.Dictionary) or named.objgen != owner.objgen:
                problems.append(
                    f"the parent tree does not name the element of marked content {mcid} "
                    f"of page {number}"
                )
    for number, mcid in sorted(set(owners) - seen):
        problems.append(f"an element claims marked content {mcid} of page {number}, not drawn")
    return problems


def pdf_structure(path: Path, printed: bool) -> list[Verdict]:
    problems: list[str] = []
    with pikepdf.open(path) as opened:
        # pikepdf's objects are dynamic: read them as such.
        pdf: Any = opened
        root = pdf.Root
        if not str(root.get("/Lang", "")):
            problems.append("no /Lang")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            problems.append("the title bar does not show the document title")
        with pdf.open_metadata() as xmp:
            if xmp.get("pdfuaid:part") != "1":
                problems.append("not identified as PDF/UA-1")
            if not xmp.get("dc:title"):
                problems.append("no title")
        tree = root.get("/StructTreeRoot")
        elements = list(_struct(tree)) if tree is not None else []
        if not elements:
            problems.append("no structure tree")
        else:
            problems += _marked_content_problems(pdf, elements)
        for figure in (e for e in elements if e.S == "/Figure"):
            if not str(figure.get("/Alt", "")).strip():
                problems.append("a figure has no alternate text")
        notes = {str(e.ID): e for e in elements if e.S == "/Note" and "/ID" in e}
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        destinations = (
            {str(k): v for k, v in name_tree(root.Names.Dests)}
            if "/Names" in root and "/Dests" in root.Names
            else {}
        )
        calls = 0
        for index, page in enumerate(pdf.pages):
            for annotation in page.get("/Annots", []):
                dest = str(annotation.get("/Dest", ""))
                if not ids.is_pdf_note(dest):
                    continue
                calls += 1
                if dest not in notes:
                    problems.append(f"the note {dest} is not a tagged Note with an ID")
                target = destinations.get(dest)
                if target is None or pages.get(target[0].objgen) != index:
                    problems.append(
                        f"the call of {dest} on page {index + 1} does not land on its page"
                    )
            for font in page.get("/Resources", {}).get("/Font", {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.get("/FontDescriptor", {})
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"font {descendant.get('/BaseFont')} is not embedded")
            if printed and not {"/TrimBox", "/BleedBox"} <= set(page.keys()):
                problems.append(f"page {index + 1} has no TrimBox or BleedBox")
        summary = (
            f"{len(pdf.pages)} pages, {len(elements)} structure elements, "
            f"{len(notes)} notes, {calls} note calls"
        )
    unique = list(dict.fromkeys(problems))
    return [
        Verdict(
            "tagged PDF structure",
            path.name,
            not unique,
            "; ".join(unique[:5]) if unique else summary,
        )
    ]


def pdf_links(path: Path) -> Verdict:
    """Every link can be clicked (a rectangle with an area) and says what it leads to in
    words a person reads, not an id."""
    problems: list[str] = []
    count = 0
    with pikepdf.open(path) as opened:
        pdf: Any = opened
        for number, page in enumerate(pdf.pages, start=1):
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                count += 1
                x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
                if abs(x1 - x0) < 1 or abs(y1 - y0) < 1:
                    problems.append(f"a link on page {number} has no area to click")
                description = str(annotation.get("/Contents", "")).strip()
                target = annotation.get("/Dest")
                if not description:
                    problems.append(f"a link on page {number} has no description")
                elif (
                    ids.SEPARATOR in description
                    or description.startswith(("_", ids.XREF_SCHEME))
                    or (target is not None and description == str(target))
                ):
                    problems.append(f"a link on page {number} is described by an id: {description}")
    unique = list(dict.fromkeys(problems))
    detail = "; ".join(unique[:5]) if unique else f"{count} links, each with an area and words"
    return Verdict("PDF links", path.name, not unique, detail)


def pdf_fonts(path: Path) -> Verdict:
    """No two font dictionaries share a name unless they are the same font: a RIP that
    caches fonts by name would set one with the other's widths."""
    from presswork.pdf.fontcopies import font_slots

    with pikepdf.open(path) as pdf:
        by_name: dict[str, set[tuple[str, bytes, bytes]]] = {}
        for _fonts, _name, font in font_slots(pdf):
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            widths = repr(list(descendant.get("/W", descendant.get("/Widths", []))))
            text = font.ToUnicode.read_bytes() if "/ToUnicode" in font else b""
            descriptor = descendant.get("/FontDescriptor", {})
            files = [
                descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor
            ]
            program = files[0].read_bytes() if files else b""
            by_name.setdefault(str(font.BaseFont), set()).add((widths, text, program))
    shared = sorted(name for name, kinds in by_name.items() if len(kinds) > 1)
    detail = (
        f"two or more different fonts named {', '.join(shared)}"
        if shared
        else f"{len(by_name)} font names, each one font"
    )
    return Verdict("PDF fonts", path.name, not shared, detail)


def _chapter_sections(pdf: Any) -> list[Any]:
    """The structure tree's chapters: the ``Sect`` elements of the document that open
    with an ``H1``."""
    document = kids(pdf.Root.StructTreeRoot)[0]
    found = []
    for element in kids(document):
        if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Sect":
            first = next((k for k in kids(element) if isinstance(k, pikepdf.Dictionary)), None)
            if first is not None and first.get("/S") == "/H1":
                found.append(element)
    return found


def _below(element: Any, skip: str = "/Note") -> Iterator[Any]:
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and skip != kid.S:
            yield kid
            yield from _below(kid, skip)


def structure_against(path: Path, epub: Path | None) -> Verdict:
    """The PDF's structure tree follows the text, not the pages: as many chapters as the
    ePub, each one ``Sect``, one ``P`` for each of its paragraphs however many pages it
    runs over, and its headings, at the same levels, in the same order."""
    from presswork.release import epubtext

    check = "structure follows the text"
    if epub is None:
        return Verdict(check, path.name, None, "no ePub beside it to compare with")
    expected = epubtext.chapters(epub)
    problems: list[str] = []
    with pikepdf.open(path) as opened:
        pdf: Any = opened
        found = _chapter_sections(pdf)
        if len(found) != len(expected):
            problems.append(f"{len(found)} chapter sections for {len(expected)} chapters")
        pairs = zip(found, expected, strict=False)  # a count that differs is said above
        for number, (section, chapter) in enumerate(pairs, start=1):
            elements = list(_below(section))
            paragraphs = sum(1 for e in elements if e.S == "/P")
            if paragraphs != chapter.paragraphs:
                problems.append(
                    f"chapter {number}: {paragraphs} P elements for {chapter.paragraphs} paragraphs"
                )
            levels = [int(str(e.S)[2:]) for e in elements if str(e.S) in _HEADINGS]
            if levels != [level for level, _ in chapter.headings]:
                problems.append(
                    f"chapter {number}: headings {levels} for {[lv for lv, _ in chapter.headings]}"
                )
    unique = list(dict.fromkeys(problems))
    paragraphs = sum(c.paragraphs for c in expected)
    detail = (
        "; ".join(unique[:5]) if unique else f"{len(expected)} chapters, {paragraphs} paragraphs"
    )
    return Verdict(check, path.name, not unique, detail)


_HEADINGS = {f"/H{n}" for n in range(1, 7)}
