"""A PDF's outline (its bookmarks), read into plain items and written back.

In: an outline's root (``/Outlines``) of a PDF, or items to write into one. Out: the
items (:class:`OutlineItem`: title, destination, whether it is open, its children) in
order; the outline written from them, each item's ``/Count`` as WeasyPrint counts it;
the destinations they point at, for what moves them with their pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf


@dataclass
class OutlineItem:
    title: pikepdf.Object
    dest: pikepdf.Object
    count_sign: int
    children: list[OutlineItem]


def read_outline(root: pikepdf.Object) -> list[OutlineItem]:
    """The items under ``root``, in order."""
    items: list[OutlineItem] = []
    item = root.get("/First")
    while item is not None:
        count = int(item.get("/Count", 0))
        items.append(
            OutlineItem(
                pikepdf.String(bytes(item.Title)),
                item.Dest,
                -1 if count < 0 else 1,
                read_outline(item),
            )
        )
        item = item.get("/Next")
    return items


def write_outline(out: pikepdf.Pdf, items: list[OutlineItem]) -> pikepdf.Object:
    """A new outline root of ``out`` holding ``items``."""
    root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    count = _write_items(out, root, items)
    root.Count = count
    return root


def _write_items(out: pikepdf.Pdf, parent: pikepdf.Object, items: list[OutlineItem]) -> int:
    """Write ``items`` under ``parent``; return how many are visible (as WeasyPrint
    counts them)."""
    written: list[pikepdf.Object] = []
    visible = len(items)
    for item in items:
        node = out.make_indirect(
            pikepdf.Dictionary(Title=item.title, Dest=item.dest, Parent=parent)
        )
        children = _write_items(out, node, item.children)
        node.Count = children * item.count_sign
        if item.count_sign > 0:
            visible += children
        if written:
            node.Prev = written[-1]
            written[-1].Next = node
        written.append(node)
    if written:
        parent.First = written[0]
        parent.Last = written[-1]
    return visible


def outline_dests(items: list[OutlineItem]) -> Iterator[pikepdf.Object]:
    """The destinations of ``items`` and of the items below them."""
    for item in items:
        yield item.dest
        yield from outline_dests(item.children)
