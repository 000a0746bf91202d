"""Make an element that runs over a page turn one structure element, as it is one in the
text.

In: a tagged PDF as WeasyPrint writes it, each structure element marked with the number
of the HTML element it stands for (:data:`ELEMENT_KEY`, written while the PDF is written,
see :func:`presswork.layout.engine.write_pdf`). WeasyPrint tags page by page: a chapter is
a ``/Sect`` on each of its pages, and a paragraph that crosses a page is two ``/P``, which
a screen reader reads as two paragraphs. Out: the same PDF in which consecutive siblings
that stand for the same element are one: the second's content and elements go to the
first (its marked content, on another page, as marked-content references naming that
page), and the parent tree names the first. A table's header row, which WeasyPrint
repeats on every page the table runs over, is the table's once: its repetitions are
left out of the tree (their content becomes artifacts), and the table's body is one.
Footnote areas, which WeasyPrint sets between one page's part of a chapter and the
next, are set after them for :mod:`presswork.pdf.tags` to take the notes from. The marks
are removed.
"""

from __future__ import annotations

from typing import Any

import pikepdf

from presswork.pdf.trees import is_struct, kids

ELEMENT_KEY = "PressworkElement"  # as WeasyPrint's writer spells a key (no slash)
_KEY = pikepdf.Name("/" + ELEMENT_KEY)

ObjGen = tuple[int, int]


def join_continued(pdf: pikepdf.Pdf) -> dict[ObjGen, pikepdf.Object]:
    """Join the elements continued over a page turn, in place; returns the elements
    absorbed, each with the element that took its place (for the parent tree)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return {}
    owners: dict[ObjGen, pikepdf.Object] = {}
    for root in (k for k in kids(tree) if is_struct(k)):
        _join_below(root, owners, top=True)
        if _KEY in root:
            del root[_KEY]
    return owners


def _is_footnote_area(element: Any) -> bool:
    """WeasyPrint's footnote area of a page: a ``/NonStruct`` holding one ``/Span`` per
    note set on the page, and nothing else."""
    if not is_struct(element) or element.get("/S") != "/NonStruct":
        return False
    bodies = kids(element)
    return bool(bodies) and all(is_struct(b) and b.get("/S") == "/Span" for b in bodies)


def _join_below(element: Any, owners: dict[ObjGen, pikepdf.Object], top: bool = False) -> None:
    joined: list[Any] = []
    areas: list[Any] = []
    changed = False
    header = None
    for kid in kids(element):
        if top and _is_footnote_area(kid):
            areas.append(kid)
            changed = True
            continue
        if is_struct(kid) and kid.get("/S") == "/THead" and _KEY in kid:
            if header is not None and int(kid[_KEY]) == header:
                # A table's header row repeated on the pages it runs over: read once,
                # where the table begins; its repetitions are left to be artifacts.
                changed = True
                continue
            header = int(kid[_KEY])
        last = joined[-1] if joined else None
        if _same_element(last, kid):
            _absorb(last, kid, owners)
            changed = True
            continue
        joined.append(kid)
    if changed:
        element.K = pikepdf.Array(joined + areas)
    # A mark is compared with its siblings' only, which is done: it is removed here, in
    # the one walk of the tree.
    for kid in joined:
        if is_struct(kid):
            if _KEY in kid:
                del kid[_KEY]
            _join_below(kid, owners)
    for area in areas:
        _strip(area)


def _same_element(first: Any, second: Any) -> bool:
    return (
        is_struct(first)
        and is_struct(second)
        and _KEY in first
        and _KEY in second
        and int(first[_KEY]) == int(second[_KEY])
        and first.get("/S") == second.get("/S")
    )


def _absorb(first: Any, second: Any, owners: dict[ObjGen, pikepdf.Object]) -> None:
    """Give ``second``'s content and elements to ``first``."""
    page = first.get("/Pg")
    items = kids(first)
    for item in kids(second):
        if is_struct(item):
            item.P = first
        elif isinstance(item, int):  # a marked-content id of second's page
            their_page = second.get("/Pg")
            if page is None or their_page is None or their_page.objgen != page.objgen:
                item = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=their_page, MCID=item)
        items.append(item)
    first.K = pikepdf.Array(items)
    owners[second.objgen] = first


def _strip(element: Any) -> None:
    if _KEY in element:
        del element[_KEY]
    for kid in kids(element):
        if is_struct(kid):
            _strip(kid)
