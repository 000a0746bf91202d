"""Read a PDF's structure tree and its number and name trees.

In: pikepdf objects of a tagged PDF. Out: a structure element's kids as a list, every
element below one, and the (key, value) pairs of a number tree or a name tree, in order.
Used where the editions are tagged, joined and verified.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf


def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    """A structure element's (or the tree root's) /K, always as a list."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_struct(obj: pikepdf.Object) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def walk(element: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The element and every structure element below it, depth first."""
    yield element
    for kid in kids(element):
        if is_struct(kid):
            yield from walk(kid)


def number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """A number tree's (key, value) pairs, in order."""
    items: list[tuple[int, pikepdf.Object]] = []
    if "/Nums" in node:
        nums = list(node.Nums)
        items += [(int(k), v) for k, v in zip(nums[::2], nums[1::2], strict=True)]
    for kid in node.get("/Kids", []):
        items += number_tree(kid)
    return items


def name_tree(node: pikepdf.Object) -> list[tuple[pikepdf.Object, pikepdf.Object]]:
    """A name tree's (name, value) pairs, in order."""
    items: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    if "/Names" in node:
        names = list(node.Names)
        items += list(zip(names[::2], names[1::2], strict=True))
    for kid in node.get("/Kids", []):
        items += name_tree(kid)
    return items
