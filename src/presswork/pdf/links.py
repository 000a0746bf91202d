"""Say what each link of the PDF is, and make its rectangle plain.

In: a PDF whose pages are final (the joined book, or the book laid out as one document),
and what a link to each destination says (:func:`presswork.render.html.link_descriptions`:
a title with ``{page}`` where the page it is on goes, or a note's number). Out: every
link annotation with that as its ``/Contents``, the alternate description a screen
reader announces (WeasyPrint writes the destination's id there), and its ``/Rect``
written lower-left corner first, as checkers and viewers expect. A link to the web keeps
its address as its description.
"""

from __future__ import annotations

from collections.abc import Mapping

import pikepdf

from presswork.pdf.trees import name_tree


def describe_links(pdf: pikepdf.Pdf, descriptions: Mapping[str, str]) -> None:
    folios = {page.obj.objgen: index + 1 for index, page in enumerate(pdf.pages)}
    destinations = {}
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        destinations = {str(name): dest for name, dest in name_tree(pdf.Root.Names.Dests)}
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            _plain_rect(annotation)
            target = annotation.get("/Dest")
            if not isinstance(target, pikepdf.String):
                continue
            description = descriptions.get(str(target))
            dest = destinations.get(str(target))
            if description is None or dest is None:
                continue
            folio = folios.get(dest[0].objgen) if isinstance(dest, pikepdf.Array) else None
            annotation.Contents = pikepdf.String(description.format(page=folio or ""))


def _plain_rect(annotation: pikepdf.Object) -> None:
    x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
    plain = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
    if plain != [x0, y0, x1, y1]:
        annotation.Rect = pikepdf.Array(plain)
