"""Give the screen PDF the structure PDF/UA asks for.

In: the PDF WeasyPrint wrote. Out: the same PDF in which every element that runs over a
page turn is one structure element (:mod:`presswork.pdf.continued`), and each footnote
body, which
WeasyPrint tags as a ``/Span`` in a ``/NonStruct`` footnote area at the end of its page,
is a ``/Note`` structure element with an ``/ID`` (listed in the structure tree's
``/IDTree``) and its number a ``/Lbl``, placed just after the paragraph that calls it,
so that the reading order is paragraph, then its notes. Calls and bodies are paired in
reading order: the calls are the links whose destination is a note id (a call links to
its note), the bodies come page by page in the order they were set. The rest of a note
continued after its chapter is a ``/Note`` too.

And the lines without a ``/Span`` each: WeasyPrint wraps every line of text in a span of
its own, which says nothing a reader can use (no language, no alternative text) and is
two thirds of the tree's elements; their content goes to the element that holds them
(:func:`_unwrap_bare`). So does that of every other bare ``/Span`` or ``/NonStruct`` (an
element that groups without meaning, as a ``<span>`` or a generated ``::before``, with
no attribute of its own): its marked content, annotation references and elements take
its place in its parent. The references to annotations (``/OBJR``) are written inside
the elements that hold them rather than as objects of their own.

:func:`tagged` does all this to the PDF WeasyPrint wrote, and draws its dot leaders.

Also: the furniture's PDF (running heads and folios, :mod:`presswork.layout.units`) with all its
content marked as artifacts, which belong to the page, not to the text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import pikepdf

from presswork import ids
from presswork.pdf.colour import prepare_print
from presswork.pdf.continued import join_continued
from presswork.pdf.leaders import Leader, draw_leaders
from presswork.pdf.links import describe_links
from presswork.pdf.pdfx import in_screen_colours
from presswork.pdf.save import deterministic_bytes
from presswork.pdf.trees import is_struct, kids, number_tree, walk
from presswork.pdf.xmp import with_properties
from presswork.styles import OutputIntent, PrintEdition

BLOCKS = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Caption"}


def _link_destination(link: pikepdf.Object) -> str | None:
    for kid in kids(link):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            annotation = kid.Obj
            dest = annotation.get("/Dest")
            if dest is None and "/A" in annotation:
                dest = annotation.A.get("/D")
            if isinstance(dest, pikepdf.String):
                return str(dest)
    return None


def _block_of(element: pikepdf.Object) -> pikepdf.Object:
    """The block a note called in ``element`` is set after: its paragraph or heading,
    or the table it is in (a table holds nothing but its rows and caption)."""
    block, table = element, None
    ancestor = element
    while "/P" in ancestor and is_struct(ancestor.P):
        ancestor = ancestor.P
        if ancestor.get("/S") == "/Table":
            table = ancestor
    if table is not None:
        return table
    while str(block.get("/S")) not in BLOCKS and "/P" in block and is_struct(block.P):
        block = block.P
    return block


def _calls(roots: list[pikepdf.Object]) -> Iterator[tuple[str, pikepdf.Object]]:
    """The first call of each note, in reading order: (note id, the link's element)."""
    seen: set[str] = set()
    for root in roots:
        for element in walk(root):
            if element.get("/S") == "/Link":
                target = _link_destination(element)
                if target is not None and ids.is_pdf_note(target) and target not in seen:
                    seen.add(target)
                    yield target, element


def _footnotes(
    document: pikepdf.Object,
) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    """Each footnote body WeasyPrint set, in page order: (the page's footnote area, the
    body). The area is a ``/NonStruct`` child of the document that holds one ``/Span``
    per note and nothing else."""
    for area in kids(document):
        if not is_struct(area) or area.get("/S") != "/NonStruct":
            continue
        bodies = kids(area)
        if bodies and all(is_struct(b) and b.get("/S") == "/Span" for b in bodies):
            for body in bodies:
                yield area, body


def tagged(
    data: bytes,
    leaders: tuple[Leader, ...] = (),
    pack: bool = False,
    descriptions: Mapping[str, str] | None = None,
    intent: OutputIntent | None = None,
    prepare: PrintEdition | None = None,
    properties: dict[tuple[str, str], str] | None = None,
) -> bytes:
    """The PDF WeasyPrint wrote with its notes tagged, its lines unwrapped and its
    ``leaders`` drawn (:func:`presswork.pdf.leaders.draw_leaders`), saved with every stream
    compressed (WeasyPrint is asked for an uncompressed file: compressing it here is
    faster) and, with ``pack``, its objects in object streams. With ``descriptions``
    (a PDF whose pages are final), its links say what they lead to
    (:func:`presswork.pdf.links.describe_links`); with ``intent``, its output intent
    names its colour space; with ``properties``, its XMP metadata says them
    (:func:`presswork.pdf.xmp.with_properties`); with ``prepare``, its pages' content in
    that print edition's inks beside (:func:`presswork.pdf.colour.prepare_print`)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        owners = join_continued(pdf)
        if owners:
            _repoint(pdf.Root.StructTreeRoot.ParentTree, owners)
        _tag_notes(pdf)
        _tag_rests(pdf)
        _orphans_as_artifacts(pdf)
        _unwrap_bare(pdf)
        draw_leaders(pdf, leaders)
        if descriptions is not None:
            describe_links(pdf, descriptions)
        if intent is not None:
            in_screen_colours(pdf, intent)
        if properties and "/Metadata" in pdf.Root:
            pdf.Root.Metadata.write(with_properties(pdf.Root.Metadata.read_bytes(), properties))
        if prepare is not None:
            prepare_print(pdf, prepare)
        return deterministic_bytes(pdf, pack=pack)


def _tag_notes(pdf: pikepdf.Pdf) -> None:
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    roots = [k for k in kids(tree) if is_struct(k)]
    calls = list(_calls(roots))
    bodies = [body for root in roots for body in _footnotes(root)]
    if not calls or len(calls) != len(bodies):
        return  # not a layout this step knows: leave it for `verify` to report
    inserted: dict[tuple[int, int], int] = {}
    id_tree = pikepdf.Array()
    for (note_id, link), (area, note) in zip(calls, bodies, strict=True):
        _remove(area, note)
        holder = link.P
        placeholder = _next_sibling(holder, link)
        if (
            placeholder is not None
            and placeholder.get("/S") == "/NonStruct"
            and not kids(placeholder)
        ):
            _remove(holder, placeholder)  # the empty ::footnote-call
        block = _block_of(holder)
        outer = block.P
        siblings = kids(outer)
        position = next(
            i for i, k in enumerate(siblings) if is_struct(k) and k.objgen == block.objgen
        )
        offset = inserted.get(block.objgen, 0) + 1
        siblings.insert(position + offset, note)
        inserted[block.objgen] = offset
        outer.K = pikepdf.Array(siblings)
        note.S = pikepdf.Name.Note
        note.ID = pikepdf.String(note_id)
        note.P = outer
        marker = next((e for e in walk(note) if e.get("/S") == "/NonStruct"), None)
        if marker is not None:
            marker.S = pikepdf.Name.Lbl  # the note's number
        id_tree.extend([pikepdf.String(note_id), note])
    for root in roots:
        for area in [
            k for k in kids(root) if is_struct(k) and k.get("/S") == "/NonStruct" and not kids(k)
        ]:
            _remove(root, area)
    pairs = sorted(
        zip(id_tree[::2], id_tree[1::2], strict=True), key=lambda pair: str(pair[0]).encode()
    )
    tree.IDTree = pdf.make_indirect(
        pikepdf.Dictionary(Names=pikepdf.Array([item for pair in pairs for item in pair]))
    )


def _orphans_as_artifacts(pdf: pikepdf.Pdf) -> None:
    """Mark as artifacts the marked content of elements that no element holds:
    WeasyPrint, laying out a whole book at once, leaves a ``/NonStruct`` holding the
    empty text of a line here and there out of its parent's ``/K``. A reader loses
    nothing: each is an empty run of text."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        return
    held = {e.objgen for root in kids(tree) if is_struct(root) for e in walk(root)}
    owners = dict(number_tree(tree.ParentTree))
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        found = owners.get(int(key)) if key is not None else None
        if not isinstance(found, pikepdf.Array):
            continue
        orphans = {i for i, e in enumerate(found) if is_struct(e) and e.objgen not in held}
        if not orphans:
            continue
        operations: list[Any] = []
        for instruction in pikepdf.parse_content_stream(page):
            operands = instruction.operands
            marked = (
                instruction.operator == pikepdf.Operator("BDC")
                and isinstance(operands[1], pikepdf.Dictionary)
                and int(operands[1].get("/MCID", -1)) in orphans
            )
            if marked:
                operations.append(([pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
            else:
                operations.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
        for index in orphans:
            found[index] = None


def _tag_rests(pdf: pikepdf.Pdf) -> None:
    """Make the rest of each note continued after its chapter
    (:mod:`presswork.transforms.long_notes`) a ``/Note``, as its start at the foot of a
    page is: the ``/Div`` that holds the one link back to a note's call (a call links to
    its note, never to a call)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    for root in (k for k in kids(tree) if is_struct(k)):
        for element in list(walk(root)):
            target = _link_destination(element) if element.get("/S") == "/Link" else None
            if target is None or not ids.is_pdf_call(target):
                continue
            holder = element.P
            while is_struct(holder) and holder.get("/S") != "/Div" and "/P" in holder:
                holder = holder.P
            if is_struct(holder) and holder.get("/S") == "/Div":
                holder.S = pikepdf.Name.Note


_BARE_KEYS = {"/Type", "/S", "/P", "/Pg", "/K"}
_BARE_TYPES = {"/Span", "/NonStruct"}


def _unwrap_bare(pdf: pikepdf.Pdf) -> None:
    """Replace every bare ``/Span`` or ``/NonStruct`` (no attribute of its own) by what it
    holds, in its parent's ``/K``, and point the ``/ParentTree`` at the parent; write
    each annotation's reference (``/OBJR``) into the ``/K`` that holds it. A
    marked-content id stays a number where the parent's ``/Pg`` is the span's page (or
    becomes the parent's page), else becomes a marked-content reference naming its page;
    an element it held takes the parent as its own. Bare elements holding only bare
    elements are unwrapped in turn."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        return
    owners: dict[tuple[int, int], pikepdf.Object] = {}
    for root in (k for k in kids(tree) if is_struct(k)):
        _unwrap_below(root, owners)
    if owners:
        _repoint(tree.ParentTree, owners)


def _unwrap_below(element: pikepdf.Object, owners: dict[tuple[int, int], pikepdf.Object]) -> None:
    children = kids(element)
    content: list[Any] = []
    changed = False
    for kid in children:
        if is_struct(kid):
            _unwrap_below(kid, owners)
            items = _bare_content(kid)
            if items is not None:
                # Its references were written direct as it was walked (just above).
                for item in items:
                    if is_struct(item):
                        item.P = element
                    elif not _is_reference(item):
                        item = _content_item(item, kid, element)
                    content.append(item)
                owners[kid.objgen] = element
                changed = True
                continue
        elif _is_reference(kid) and kid.is_indirect:
            kid = pikepdf.Dictionary({key: value for key, value in kid.items()})
            changed = True
        content.append(kid)
    if changed:
        # One item is written as itself, not as an array of one (as PDF allows, and as
        # some checkers read a heading's content).
        element.K = content[0] if len(content) == 1 else pikepdf.Array(content)


def _is_reference(item: Any) -> bool:
    """An annotation's reference (``/OBJR``)."""
    return isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/OBJR"


def _bare_content(element: pikepdf.Object) -> list[Any] | None:
    """A bare element's items (marked-content ids and references, annotation references,
    elements), else None."""
    if element.get("/S") not in _BARE_TYPES or not set(element.keys()) <= _BARE_KEYS:
        return None
    items = kids(element)
    for item in items:
        if isinstance(item, int):  # pikepdf gives PDF integers as Python ints
            if "/Pg" not in element:
                return None
        elif not (
            is_struct(item)
            or _is_reference(item)
            or (isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR")
        ):
            return None
    return items if items else None


def _content_item(item: Any, span: pikepdf.Object, parent: pikepdf.Object) -> Any:
    """A span's content item as it is written in the parent's ``/K``."""
    if isinstance(item, pikepdf.Dictionary):  # a reference: the span's page is its own
        page = item.get("/Pg", span.get("/Pg"))
        mcid = int(item.MCID)
    else:
        page, mcid = span.Pg, int(item)
    if page is None:
        return pikepdf.Dictionary({k: v for k, v in item.items()})
    if "/Pg" not in parent:
        parent.Pg = page
    if parent.Pg.objgen == page.objgen:
        return mcid
    return pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid)


def _repoint(node: pikepdf.Object, owners: dict[tuple[int, int], pikepdf.Object]) -> None:
    """In a number tree of page arrays and annotations' elements, each unwrapped element
    replaced by its owner."""
    if "/Nums" in node:
        nums = node.Nums
        for index in range(1, len(nums), 2):
            value = nums[index]
            if isinstance(value, pikepdf.Dictionary):  # an annotation's element
                if value.is_indirect and value.objgen in owners:
                    nums[index] = _owner(value, owners)
            elif isinstance(value, pikepdf.Array):
                for i, element in enumerate(value):
                    indirect = isinstance(element, pikepdf.Dictionary) and element.is_indirect
                    if indirect and element.objgen in owners:
                        value[i] = _owner(element, owners)
    for kid in node.get("/Kids", []):
        _repoint(kid, owners)


def _owner(element: pikepdf.Object, owners: dict[tuple[int, int], pikepdf.Object]) -> Any:
    """The element that holds what ``element`` held: itself, or, where it was unwrapped,
    the first of its ancestors that was not."""
    while element.is_indirect and element.objgen in owners:
        element = owners[element.objgen]
    return element


def _remove(parent: pikepdf.Object, child: pikepdf.Object) -> None:
    parent.K = pikepdf.Array(
        [k for k in kids(parent) if not (is_struct(k) and k.objgen == child.objgen)]
    )


def _next_sibling(parent: pikepdf.Object, child: pikepdf.Object) -> pikepdf.Object | None:
    children = kids(parent)
    for index, kid in enumerate(children[:-1]):
        if is_struct(kid) and kid.objgen == child.objgen:
            after = children[index + 1]
            return after if is_struct(after) else None
    return None


def as_artifacts(data: bytes, prepare: PrintEdition | None = None) -> bytes:
    """The PDF with every tagged sequence of its pages' content marked as an artifact
    instead: for pages whose content is the page's furniture (running heads, folios),
    which belongs to the page, not to the text. With ``prepare``, its pages' content in
    that print edition's inks beside (:func:`presswork.pdf.colour.prepare_print`)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            operations: list[Any] = []
            for instruction in pikepdf.parse_content_stream(page):
                if instruction.operator == pikepdf.Operator("BDC"):
                    operations.append(([pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
                else:
                    operations.append(instruction)
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
        if prepare is not None:
            prepare_print(pdf, prepare)
        return deterministic_bytes(pdf, pack=True)
