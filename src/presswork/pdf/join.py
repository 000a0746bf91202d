"""Join the separately laid-out units into the book's screen PDF, and its print edition.

In: the tagged PDFs of the front matter and of each chapter (as
:mod:`presswork.layout.units` writes them), the furniture PDFs (a page with the running
head and folio for every chapter page of the book) and how far each page's content moves
sideways. Out: one tagged PDF, as a single WeasyPrint render of the whole book would
have written it:

- the pages in order, each chapter page overlaid with its running head and folio (marked
  as an artifact), its content moved sideways where the chapter was laid out from a
  right-hand page onto what is a left-hand page in the book, or the other way round;
- one structure tree: the units' trees under one ``/Document``, their ``/ParentTree``
  keys renumbered, one ``/IDTree`` of notes;
- one outline of all chapters and sections, one name tree of destinations, and the links
  between units (written ``presswork-xref:ID``) turned into links inside the PDF;
- each font embedded once, subset to the glyphs of the whole book
  (:mod:`presswork.pdf.fontmerge`).

A :class:`BookJoin` is made in two steps: made, it has joined the pages and trees and
planned the fonts, and says which font subsets it needs (:meth:`BookJoin.subsets`, which
another process may make meanwhile); :meth:`BookJoin.finish` merges the fonts and saves
the screen edition and, from the same document, the print edition.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pikepdf

from presswork import ids
from presswork.cache import Store
from presswork.editions import PrintOrder
from presswork.pdf.colour import PRINT_CONTENTS
from presswork.pdf.fontcopies import ObjGen, Read, read_fonts
from presswork.pdf.fontmerge import apply_plan, plan
from presswork.pdf.links import describe_links
from presswork.pdf.moves import move_references
from presswork.pdf.outlines import OutlineItem, outline_dests, read_outline, write_outline
from presswork.pdf.pdfx import in_screen_colours
from presswork.pdf.press import make_print_edition, page_size, print_bytes
from presswork.pdf.save import deterministic_bytes, draw_over
from presswork.pdf.subsets import is_kept
from presswork.pdf.trees import kids, name_tree, number_tree
from presswork.pdf.xmp import with_properties
from presswork.render.html import UNIT_DATE
from presswork.styles import OutputIntent

FURNITURE = pikepdf.Name("/PressworkFurniture")


@dataclass(frozen=True)
class Part:
    """A unit's PDF, and for each of its pages how far (in points) to move its content
    to the right, and whether to overlay the furniture; ``figures``: whether its
    structure tree may hold figures' boxes, which move with the content. ``key``: its
    cache key, by which a part opened beforehand (:func:`open_part`) is taken.
    ``blanks``: how many blank pages go before it (each takes a furniture page, which
    carries nothing)."""

    pdf: bytes
    shifts: tuple[float, ...]
    furnished: bool
    figures: bool = True
    key: str = ""
    blanks: int = 0


@dataclass(frozen=True)
class Joined:
    """The screen edition, and the print edition made from the same pages if asked."""

    screen: bytes
    print: bytes | None


@dataclass
class OpenedPart:
    """A part's PDF opened before its join, with its fonts read (see :func:`open_part`)."""

    pdf: pikepdf.Pdf
    fonts: dict[ObjGen, Read]


def open_part(data: bytes) -> OpenedPart:
    """Open a part that a join to come will take, and read its fonts for the book's plan
    to take: a rebuild after an edit opens the unchanged chapters of a report while the
    edited one is laid out. Not the fonts of a part with a form, whose resources are not
    copied with its pages."""
    pdf = _open(data)
    return OpenedPart(pdf, {} if "/AcroForm" in pdf.Root else read_fonts(pdf))


class BookJoin:
    """The book joined from its parts in this process: made, its pages and trees are
    joined and its fonts planned; :meth:`finish` merges the fonts and saves it."""

    def __init__(
        self,
        parts: Sequence[Part],
        furniture: Sequence[bytes],
        fonts: Sequence[Path],
        date: datetime,
        opened: dict[str, OpenedPart] | None = None,
        descriptions: Mapping[str, str] | None = None,
        properties: dict[tuple[str, str], str] | None = None,
    ) -> None:
        """Join the pages and trees of the book from its parts, the first of which gives
        the document's catalog (language, metadata, viewer preferences), its dates
        replaced by ``date``, and plan the merge of its ``fonts``. ``furniture`` are PDFs
        whose pages, one after the other, are those of the furnished parts, their
        content marked as artifacts. ``opened``: parts opened beforehand, by their keys;
        those taken are closed and removed from it, the caller closes the others.
        ``descriptions``: what a link to each destination says
        (:func:`presswork.pdf.links.describe_links`). ``properties``: what the XMP
        metadata says of the book besides what WeasyPrint wrote
        (:func:`presswork.pdf.xmp.with_properties`)."""
        self.out = _open(parts[0].pdf)
        try:
            _date(self.out, date)
            if properties and "/Metadata" in self.out.Root:
                xmp = self.out.Root.Metadata.read_bytes()
                self.out.Root.Metadata.write(with_properties(xmp, properties))
            self.prepared: dict[ObjGen, bytes] = {}
            known = _join(
                self.out, parts, furniture, {} if opened is None else opened, self.prepared
            )
            describe_links(self.out, descriptions or {})
            self.planned = plan(self.out, fonts, known)
        except BaseException:
            self.out.close()
            raise

    def subsets(self, store: Store | None) -> dict[Path, list[int]]:
        """The subsets of the fonts that the merge needs and ``store`` does not keep yet:
        another process may make them (:func:`~presswork.pdf.subsets.keep_subset`),
        which spares this one fontTools' subsetter on top of the whole book."""
        return {
            path: gids
            for path, gids in self.planned.subsets().items()
            if store is None or not is_kept(path, gids, store)
        }

    def finish(
        self, store: Store | None, screen_intent: OutputIntent | None, order: PrintOrder | None
    ) -> Joined:
        """The book, its fonts merged (their subsets taken from ``store`` where kept, and
        kept there for the next join), saved: the screen edition, in the colour space of
        ``screen_intent``, and with ``order`` the print edition, made from the joined
        document rather than its bytes (reading those again would take as long as
        writing them)."""
        apply_plan(self.out, self.planned, store)
        if screen_intent is not None:
            in_screen_colours(self.out, screen_intent)
        screen = deterministic_bytes(self.out, pack=True)
        if order is None:
            return Joined(screen, None)
        make_print_edition(self.out, order, self.prepared)
        return Joined(screen, print_bytes(self.out))

    def close(self) -> None:
        self.out.close()


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _join(
    out: pikepdf.Pdf,
    parts: Sequence[Part],
    furniture: Sequence[bytes],
    opened: dict[str, OpenedPart],
    prepared: dict[ObjGen, bytes],
) -> dict[ObjGen, Read]:
    """Join the parts into ``out``, taking those ``opened`` beforehand by their keys;
    return what of their fonts was read beforehand, by their copies in ``out``. The
    content in inks the units carry beside their pages' (:data:`PRINT_CONTENTS`) is
    taken off the pages into ``prepared``, for the print edition."""
    known: dict[ObjGen, Read] = {}
    book = _Book(out, prepared)
    book.adopt_own(parts[0])
    furniture_pdfs = [_open(data) for data in furniture]
    try:
        pages = iter([page for pdf in furniture_pdfs for page in pdf.pages])
        for part in parts[1:]:
            # pikepdf copies a foreign object's stream data when it copies the object, so
            # each part is closed once copied: only the book's objects stay in memory.
            taken = opened.pop(part.key, None) if part.key else None
            pdf, read = (taken.pdf, taken.fonts) if taken is not None else (_open(part.pdf), {})
            with pdf:
                if part.blanks:
                    width, height = page_size(pdf.pages[0])
                    for _ in range(part.blanks):
                        out.add_blank_page(page_size=(width, height))
                        next(pages)  # the blank page's furniture is blank
                appended = book.append(part, pdf)
                # The part's fonts were copied with its pages: copying them again finds
                # those copies.
                for objgen, fonts in read.items():
                    known[out.copy_foreign(pdf.get_object(objgen)).objgen] = fonts
            if part.furnished:
                for page, dx in zip(appended, part.shifts, strict=True):
                    _overlay(out, page, next(pages), dx, prepared)
    finally:
        for furniture_pdf in furniture_pdfs:
            furniture_pdf.close()
    book.write_trees()
    return known


class _Book:
    """The joined PDF being made, with what its trees will hold once every part is in:
    the structure tree's kids, the ParentTree's entries, the notes' ids, the named
    destinations and the outline."""

    def __init__(self, out: pikepdf.Pdf, prepared: dict[ObjGen, bytes]) -> None:
        self.out = out
        self.prepared = prepared
        self.tree = out.Root.StructTreeRoot
        self.document = kids(self.tree)[0]
        self.kids = kids(self.document)
        self.nums = number_tree(self.tree.ParentTree)
        self.next_key = int(self.tree.get("/ParentTreeNextKey", _next_key(self.nums)))
        self.ids = name_tree(self.tree.IDTree) if "/IDTree" in self.tree else []
        self.dests = name_tree(out.Root.Names.Dests) if "/Names" in out.Root else []
        self.outline = read_outline(out.Root.Outlines) if "/Outlines" in out.Root else []

    def adopt_own(self, part: Part) -> None:
        """Take the first part, whose PDF the book is made from, as the others."""
        pages = list(self.out.pages)
        _apply_shifts(pages, part.shifts, self.dests, self.outline, self.kids)
        for page in pages:
            _prepare(page, _variant(page), self.prepared)
            for annotation in page.obj.get("/Annots", []):
                _resolve_xref(annotation)

    def append(self, part: Part, pdf: pikepdf.Pdf) -> list[pikepdf.Page]:
        """Add a part's pages and what refers to them; return the pages as added."""
        out, first = self.out, len(self.out.pages)
        # Taken off before the pages are copied, so that the book never holds them.
        variants = [_variant(page) for page in pdf.pages]
        for page in pdf.pages:
            out.pages.append(page)
        pages = out.pages[first:]
        for page, variant in zip(pages, variants, strict=True):
            _prepare(page, variant, self.prepared)
        tree = pdf.Root.StructTreeRoot
        offset = self.next_key
        numbers = number_tree(tree.ParentTree)
        self.nums += [(key + offset, out.copy_foreign(_indirect(pdf, v))) for key, v in numbers]
        self.next_key = offset + int(tree.get("/ParentTreeNextKey", _next_key(numbers)))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
                _resolve_xref(annotation)
        structure = [out.copy_foreign(_indirect(pdf, kid)) for kid in kids(kids(tree)[0])]
        for element in structure:
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                element.P = self.document
        self.kids += structure
        if "/IDTree" in tree:
            self.ids += [
                (n, out.copy_foreign(_indirect(pdf, v))) for n, v in name_tree(tree.IDTree)
            ]
        # Each tree is copied whole, so that its destinations stay direct objects (one
        # object each would be a fifth of the book's objects).
        dests = []
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            dests = name_tree(out.copy_foreign(_indirect(pdf, pdf.Root.Names.Dests)))
        outline = []
        if "/Outlines" in pdf.Root:
            outline = read_outline(out.copy_foreign(_indirect(pdf, pdf.Root.Outlines)))
        _apply_shifts(pages, part.shifts, dests, outline, structure if part.figures else [])
        self.dests += dests
        self.outline += outline
        return pages

    def write_trees(self) -> None:
        """Write the trees."""
        out, tree = self.out, self.tree
        self.document.K = pikepdf.Array(self.kids)
        nums = pikepdf.Array([x for key, value in self.nums for x in (key, value)])
        tree.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=nums))
        tree.ParentTreeNextKey = self.next_key
        if self.ids:
            tree.IDTree = out.make_indirect(pikepdf.Dictionary(Names=_sorted_names(self.ids)))
        names = out.Root.get("/Names")
        if names is None:
            names = out.Root.Names = out.make_indirect(pikepdf.Dictionary())
        names.Dests = out.make_indirect(pikepdf.Dictionary(Names=_sorted_names(self.dests)))
        if self.outline:
            out.Root.Outlines = write_outline(out, self.outline)


def _date(pdf: pikepdf.Pdf, date: datetime) -> None:
    """Put the book's date where WeasyPrint wrote the units' (:data:`UNIT_DATE`): the
    document information and the XMP metadata."""
    for stamp in ("D:%Y%m%d%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ"):
        unit, book = UNIT_DATE.strftime(stamp), date.astimezone(UTC).strftime(stamp)
        for key in ("/CreationDate", "/ModDate"):
            if str(pdf.docinfo.get(key, "")) == unit:
                pdf.docinfo[key] = pikepdf.String(book)
        if "/Metadata" in pdf.Root:
            xmp = pdf.Root.Metadata.read_bytes()
            pdf.Root.Metadata.write(xmp.replace(unit.encode(), book.encode()))


# Structure and name trees -------------------------------------------------------------


def _indirect(pdf: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``copy_foreign`` copies indirect objects only."""
    if isinstance(obj, pikepdf.Object) and not obj.is_indirect:
        return pdf.make_indirect(obj)
    return obj


def _next_key(items: list[tuple[int, pikepdf.Object]]) -> int:
    return max((key for key, _ in items), default=-1) + 1


def _sorted_names(items: list[tuple[pikepdf.Object, pikepdf.Object]]) -> pikepdf.Array:
    """A name tree's keys are sorted by their bytes; the first of a duplicate wins."""
    seen: dict[bytes, pikepdf.Object] = {}
    for name, value in items:
        seen.setdefault(bytes(name), value)
    return pikepdf.Array([x for key in sorted(seen) for x in (pikepdf.String(key), seen[key])])


# Pages --------------------------------------------------------------------------------


def _resolve_xref(annotation: pikepdf.Object) -> None:
    """A link to another unit becomes a link to a named destination of the book."""
    action = annotation.get("/A")
    if action is None or action.get("/S") != "/URI":
        return
    uri = str(action.URI)
    if not uri.startswith(ids.XREF_SCHEME):
        return
    target = pikepdf.String(uri[len(ids.XREF_SCHEME) :])
    del annotation.A
    annotation.Dest = target
    annotation.Contents = target


def _apply_shifts(
    pages: list[pikepdf.Page],
    shifts: tuple[float, ...],
    dests: list[tuple[pikepdf.Object, pikepdf.Object]],
    outline: list[OutlineItem],
    structure: list[pikepdf.Object],
) -> None:
    """Move the links, destinations and figure boxes of pages by ``shifts`` points to
    the right, as :func:`_overlay` moves their content."""
    moved = {page.obj.objgen: (dx, 0.0) for page, dx in zip(pages, shifts, strict=True) if dx}
    if moved:
        targets = [dest for _, dest in dests] + list(outline_dests(outline))
        move_references(moved, pages, targets, structure)


def _variant(page: pikepdf.Page) -> list[bytes | None] | None:
    """Take a laid-out unit's page's content in inks (:data:`PRINT_CONTENTS`) off it:
    for each of its content streams, the same in inks as stored (Flate-encoded), or
    None where it has no colour; None for a page without it."""
    variant = page.obj.get(PRINT_CONTENTS)
    if variant is None:
        return None
    del page.obj[PRINT_CONTENTS]
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return [
        None if inks.objgen == stream.objgen else inks.read_raw_bytes()
        for stream, inks in zip(streams, variant, strict=True)
    ]


def _prepare(
    page: pikepdf.Page, variant: list[bytes | None] | None, prepared: dict[ObjGen, bytes]
) -> None:
    """Record a page's content in inks by the streams of the book it stands for."""
    if variant is None:
        return
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    for stream, inks in zip(streams, variant, strict=True):
        if inks is not None:
            prepared[stream.objgen] = inks


def _overlay(
    out: pikepdf.Pdf,
    page: pikepdf.Page,
    furniture: pikepdf.Page,
    dx: float,
    prepared: dict[ObjGen, bytes],
) -> None:
    """Draw the furniture page over ``page``, whose own content moves ``dx`` points to
    the right; the furniture's content in inks goes into ``prepared``, by its form."""
    variant = furniture.obj.get(PRINT_CONTENTS)
    form = out.copy_foreign(furniture.as_form_xobject())
    if variant is not None:
        content = b"\n".join(stream.read_bytes() for stream in variant)
        prepared[form.objgen] = zlib.compress(content, 1)
    # WeasyPrint's pages share one resource dictionary: each page gets its own, which
    # adds its furniture to the shared entries.
    shared = page.obj.get("/Resources", pikepdf.Dictionary())
    resources = pikepdf.Dictionary({key: value for key, value in shared.items()})
    xobjects = pikepdf.Dictionary({k: v for k, v in shared.get("/XObject", {}).items()})
    xobjects[FURNITURE] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    # The form's own content is marked as an artifact; its painting must be one too, or
    # it is content outside any tag (PDF/UA-1 7.1).
    draw_over(out, page, f"/Artifact BMC q {FURNITURE} Do Q EMC\n".encode(), dx)
