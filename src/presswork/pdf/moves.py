"""Move what points at a place on a page along with the page's content.

In: how far the content of some pages moves (points to the right and up, by page
object), and what may point into those pages: link annotations, destinations (a name
tree's values, outline items'), structure elements. Out: link rectangles, ``/XYZ``
destinations and figures' layout boxes (in the structure tree, in CSS pixels measured
from the top of the page, as WeasyPrint writes them) moved by the same amounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pikepdf

from presswork.lengths import PX
from presswork.pdf.trees import is_struct, walk

ObjGen = tuple[int, int]
Offset = tuple[float, float]  # points to the right, points up


def move_references(
    moved: Mapping[ObjGen, Offset],
    pages: Iterable[pikepdf.Page],
    dests: Iterable[pikepdf.Object],
    structure: Iterable[pikepdf.Object],
    grown: float = 0.0,
) -> None:
    """Move the links of ``pages``, the ``dests`` and the figure boxes of the
    ``structure`` elements (and those they hold) that are on a page in ``moved``;
    ``grown``: how much taller those pages became (a figure's box is measured from the
    top of its page)."""
    if not moved:
        return
    for page in pages:
        offset = moved.get(page.obj.objgen)
        if offset is None:
            continue
        dx, dy = offset
        for annotation in page.obj.get("/Annots", []):
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            annotation.Rect = pikepdf.Array([x0 + dx, y0 + dy, x1 + dx, y1 + dy])
    for dest in dests:
        if isinstance(dest, pikepdf.Array) and len(dest) >= 4 and dest[1] == "/XYZ":
            offset = moved.get(dest[0].objgen)
            if offset is not None:
                if dest[2] is not None:
                    dest[2] = float(dest[2]) + offset[0]
                if dest[3] is not None:
                    dest[3] = float(dest[3]) + offset[1]
    for element in (e for root in structure if is_struct(root) for e in walk(root)):
        attributes = element.get("/A")
        if isinstance(attributes, pikepdf.Dictionary) and "/BBox" in attributes:
            offset = moved.get(element.Pg.objgen) if "/Pg" in element else None
            if offset is not None:
                x0, y0, x1, y1 = (float(v) for v in attributes.BBox)
                right, down = offset[0] / PX, (grown - offset[1]) / PX
                attributes.BBox = pikepdf.Array([x0 + right, y0 + down, x1 + right, y1 + down])
